import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { FeatureFingerprintMismatchError, readModelRegistry, writeModelRegistry } from '@fraud/model';
import { DEFAULT_GATE_POLICY } from './gate.ts';
import { GateError, runGate } from './promotion.ts';
import { REPO_ROOT } from './retrain.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// The gate must refuse before it reads anything: a Kafka client that is touched fails the test.
const untouchable = new Proxy({} as Kafka, {
  get() {
    throw new Error('Kafka must not be used');
  },
});
const gateOptions = (modelsDir: string) => ({
  kafka: untouchable,
  registry: {} as SchemaRegistry,
  topics: { decisions: 'd', labels: 'l' },
  modelsDir,
  policy: DEFAULT_GATE_POLICY,
  asOfMs: Date.now(),
  maturityMs: 0,
  promote: true,
});

describe('runGate refusals', () => {
  it('refuses a challenger built for other feature code, as the scorers do, and changes nothing', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gate-'));
    const committed = await readModelRegistry(path.join(REPO_ROOT, 'models'));
    const champion = committed.versions.find((v) => v.version === committed.champion)!;
    await cp(path.join(REPO_ROOT, 'models', champion.path), path.join(dir, champion.path), {
      recursive: true,
    });
    await cp(path.join(REPO_ROOT, 'models', champion.path), path.join(dir, 'other-features'), {
      recursive: true,
    });
    const manifestFile = path.join(dir, 'other-features', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.version = 'other-features';
    manifest.feature_set_fingerprint = 'f'.repeat(64);
    await writeFile(manifestFile, JSON.stringify(manifest));
    const created = new Date().toISOString();
    await writeModelRegistry(dir, {
      schema_version: 1,
      champion: champion.version,
      challenger: 'other-features',
      versions: [champion, { version: 'other-features', path: 'other-features', created }],
      updated: created,
    });

    await expect(runGate(gateOptions(dir))).rejects.toThrow(FeatureFingerprintMismatchError);
    expect((await readModelRegistry(dir)).champion).toBe(champion.version);
  });

  it('names the missing challenger', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gate-'));
    const committed = await readModelRegistry(path.join(REPO_ROOT, 'models'));
    const champion = committed.versions.find((v) => v.version === committed.champion)!;
    await writeModelRegistry(dir, {
      schema_version: 1,
      champion: champion.version,
      versions: [champion],
      updated: champion.created,
    });
    const run = runGate(gateOptions(dir));
    await expect(run).rejects.toThrow(GateError);
    await expect(runGate(gateOptions(dir))).rejects.toThrow(/names no challenger/);
  });
});
