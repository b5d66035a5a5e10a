import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureFingerprintMismatchError, ScoringInputError } from './errors.ts';
import { loadModelDirectory, readManifest, type LoadedModel } from './model-directory.ts';
import { LocalModelSource } from './model-source.ts';
import { OnnxScorer } from './onnx-scorer.ts';

// The default model committed under models/ (trained from the simulator): the scorer's model
// after a fresh clone, so these tests also prove it loads.
const MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

describe('committed default model + OnnxScorer', () => {
  let model: LoadedModel;
  let scorer: OnnxScorer;

  beforeAll(async () => {
    const source = new LocalModelSource(MODELS_DIR);
    const registry = await source.readRegistry();
    const manifest = await readManifest(path.join(MODELS_DIR, registry.champion));
    model = await source.loadVersion(registry.champion, {
      expectedFeatureFingerprint: manifest.feature_set_fingerprint,
    });
    scorer = await OnnxScorer.fromModel(model);
  });
  afterAll(async () => {
    await scorer.close();
    await scorer.close(); // a second close awaits the same release
  });

  it('scores a batch in one call: one probability per row, NaN treated as missing', async () => {
    const cols = model.manifest.feature_names.length;
    const rows = 5;
    const data = new Float32Array(rows * cols).fill(Number.NaN);
    for (let i = 0; i < cols; i += 1) data[cols + i] = i % 3; // row 1: some values
    const scores = await scorer.scoreBatch({ data, rows, cols });
    expect(scores.length).toBe(rows);
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);
    for (const s of scores) expect(s).toBeLessThanOrEqual(1);
    expect(scores[0]).toBe(scores[2]); // all-missing rows score alike
    expect(await scorer.scoreBatch({ data, rows: 0, cols })).toHaveLength(0);
  });

  it('scores a view into a larger buffer the same as a copy', async () => {
    const cols = model.manifest.feature_names.length;
    const big = new Float32Array(10 * cols).map((_, i) => (i * 7919) % 13);
    const view = big.subarray(3 * cols, 7 * cols);
    const a = await scorer.scoreBatch({ data: view, rows: 4, cols });
    const b = await scorer.scoreBatch({ data: view.slice(), rows: 4, cols });
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('rejects a batch of the wrong width', async () => {
    const cols = model.manifest.feature_names.length + 1;
    await expect(scorer.scoreBatch({ data: new Float32Array(cols), rows: 1, cols })).rejects.toThrow(
      ScoringInputError,
    );
  });

  it('refuses a model directory made for another feature set', async () => {
    await expect(
      loadModelDirectory(model.directory, { expectedFeatureFingerprint: 'f'.repeat(64) }),
    ).rejects.toThrow(FeatureFingerprintMismatchError);
    await expect(
      loadModelDirectory(model.directory, { expectedFeatureFingerprint: 'f'.repeat(64) }),
    ).rejects.toThrow(new RegExp(`${model.manifest.feature_set_fingerprint}.*${'f'.repeat(64)}`));
  });

  it('names the manifest file and field of an invalid manifest', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'model-dir-'));
    await cp(model.directory, dir, { recursive: true });
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as { onnx: Record<string, unknown> };
    delete m.onnx.output_name;
    await writeFile(file, JSON.stringify(m));
    await expect(
      loadModelDirectory(dir, { expectedFeatureFingerprint: model.manifest.feature_set_fingerprint }),
    ).rejects.toThrow(`${file}: onnx.output_name must be a non-empty string`);
  });
});
