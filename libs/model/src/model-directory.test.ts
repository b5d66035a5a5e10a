import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelNotExplainableError } from './errors.ts';
import { loadModelDirectory, readManifest } from './model-directory.ts';
import { readModelRegistry } from './registry.ts';

const MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

describe('loadModelDirectory with requireExplainable (the promotion gate)', () => {
  let dir: string;
  let fingerprint: string;
  const load = () =>
    loadModelDirectory(dir, { expectedFeatureFingerprint: fingerprint, requireExplainable: true });

  beforeAll(async () => {
    const registry = await readModelRegistry(MODELS_DIR);
    const champion = registry.versions.find((v) => v.version === registry.champion)!;
    dir = await mkdtemp(path.join(os.tmpdir(), 'explainable-'));
    await cp(path.join(MODELS_DIR, champion.path), dir, { recursive: true });
    fingerprint = (await readManifest(dir)).feature_set_fingerprint;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('accepts the committed default model (XGBoost, explainable)', async () => {
    await expect(load()).resolves.toMatchObject({ directory: dir });
  });

  it('refuses a model whose exported candidate is not XGBoost (a LightGBM winner), naming it', async () => {
    const file = path.join(dir, 'manifest.json');
    const original = await readFile(file, 'utf8');
    const manifest = JSON.parse(original) as { candidates?: { algorithm: string; selected: boolean }[] };
    manifest.candidates = [
      { ...(manifest.candidates?.[0] ?? {}), algorithm: 'xgboost', selected: false },
      { ...(manifest.candidates?.[0] ?? {}), algorithm: 'lightgbm', selected: true },
    ];
    await writeFile(file, JSON.stringify(manifest));
    try {
      await expect(load()).rejects.toThrow(ModelNotExplainableError);
      await expect(load()).rejects.toThrow(/exported candidate is lightgbm/);
      // Loading for scoring alone (no promotion) still works: the gate is opt-in.
      await expect(
        loadModelDirectory(dir, { expectedFeatureFingerprint: fingerprint }),
      ).resolves.toBeDefined();
    } finally {
      await writeFile(file, original);
    }
  });

  it('refuses a model whose XGBoost JSON does not parse into trees', async () => {
    const file = path.join(dir, 'model.json');
    const original = await readFile(file, 'utf8');
    await writeFile(file, JSON.stringify({ learner: { objective: { name: 'binary:logistic' } } }));
    try {
      await expect(load()).rejects.toThrow(ModelNotExplainableError);
      await expect(load()).rejects.toThrow(/not explainable .*learner_model_param/);
    } finally {
      await writeFile(file, original);
    }
  });
});
