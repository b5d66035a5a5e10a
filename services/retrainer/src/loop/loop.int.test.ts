import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeatureDataset } from '@fraud/datasets';
import { readManifest, readModelRegistry, readPromotionLog, rollbackChampion } from '@fraud/model';
import { stackSettings } from '@fraud/test-support';
import { runLoop } from './run-loop.ts';

const settings = stackSettings();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the feedback loop on the real stack', () => {
  it('dataset -> retrain -> challenger shadowed -> gate -> promotion -> the same scorer decides with it; rollback in one call', async () => {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'loop-test-'));
    dirs.push(workDir);
    const result = await runLoop({
      env: {
        kafkaBrokers: settings.kafkaBrokers,
        schemaRegistryUrl: settings.schemaRegistryUrl,
        topics: { decisions: 'unused', labels: 'unused' },
      },
      redisUrl: settings.redisUrl,
      workDir,
      seedTransactions: 10_000,
      phase1Transactions: 12_000,
      phase2Transactions: 8_000,
      phase3Transactions: 1_000,
      rate: 2_500,
      fraudRate: 0.015,
    });

    // Feature logging: the logged vectors are exactly what the deciding model scored.
    expect(result.logged_vectors_verified).toBeGreaterThan(100);

    // Dataset: every phase-1 decision joined with its (simulator) label, point in time.
    const modelsDir = path.join(workDir, 'models');
    const dataset = await readFeatureDataset(path.join(workDir, 'datasets', result.dataset_id));
    expect(dataset.manifest.rows).toBe(12_000);
    expect(result.labels_joined).toBe(12_000);
    expect(result.frauds_joined).toBe(dataset.manifest.label_counts.fraud);
    expect(result.frauds_joined).toBeGreaterThanOrEqual(20);
    expect(dataset.manifest.excluded).toMatchObject({
      without_features: 0,
      other_feature_set: 0,
      duplicate_decisions: 0,
    });
    expect(dataset.manifest.models).toEqual({ [result.champion_before]: 12_000 });

    // Retrain: the challenger's model card carries its lineage.
    const card = await readManifest(path.join(modelsDir, result.challenger_version));
    expect(card.training_data.format).toBe('feature-dataset');
    expect(card.lineage).toMatchObject({
      dataset_id: result.dataset_id,
      parent_model: result.champion_before,
    });
    expect(card.lineage?.code_commit).toMatch(/^[0-9a-f]{40}/);
    expect(await readFile(path.join(modelsDir, result.challenger_version, 'report.md'), 'utf8')).toContain(
      '## Lineage',
    );

    // Gate on labelled shadow traffic and promotion; the scorer switched without a restart.
    expect(result.shadow_labelled).toBe(8_000);
    expect(result.challenger_pr_auc).toBeGreaterThan(result.champion_pr_auc);
    expect(result.promoted).toBe(true);
    expect(result.champion_after).toBe(result.challenger_version);
    expect(result.decisions_by_new_champion).toBe(1_000);
    expect((await readModelRegistry(modelsDir)).champion).toBe(result.challenger_version);
    const log = await readPromotionLog(modelsDir);
    expect(log.map((e) => `${e.action}:${e.by}`)).toEqual(['challenger:retrain', 'promote:gate']);

    // Rollback is one call (npm run rollback), atomic and logged.
    await rollbackChampion(modelsDir);
    expect((await readModelRegistry(modelsDir)).champion).toBe(result.champion_before);
    expect((await readPromotionLog(modelsDir)).at(-1)).toMatchObject({
      action: 'rollback',
      from: result.challenger_version,
      to: result.champion_before,
    });
  });
});
