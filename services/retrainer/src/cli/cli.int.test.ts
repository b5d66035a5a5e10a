import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { FraudDecision, FraudLabel } from '@fraud/contracts';
import { createDecisionLabelTopics, testDecision } from '@fraud/contracts/testing';
import type { DatasetManifest } from '@fraud/datasets';
import { FEATURE_COUNT, FEATURE_SET_FINGERPRINT } from '@fraud/features';
import { readModelRegistry, writeModelRegistry } from '@fraud/model';
import { stackSettings, testKafka, uniqueName } from '@fraud/test-support';
import { REPO_ROOT } from '../retrain.ts';

const execFileAsync = promisify(execFile);
const settings = stackSettings();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function cli(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'services/retrainer/src/cli', script), ...args],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          KAFKA_BROKERS: settings.kafkaBrokers.join(','),
          SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('retrainer CLIs on the real stack', () => {
  it('npm run dataset: refuses too few frauds naming the counts; otherwise writes the dataset with corrections and unknown labels counted', async () => {
    const kafka = testKafka(settings, 'dataset-cli');
    const base = uniqueName('dataset-cli');
    const { topics, produce } = await createDecisionLabelTopics(kafka, settings.schemaRegistryUrl, base);
    const t0 = Date.now() - 60_000;
    const decisions: FraudDecision[] = Array.from({ length: 30 }, (_, i) =>
      testDecision({
        transactionId: `${base}-${i}`,
        score: 0.01,
        decision: 'ALLOW',
        thresholds: { review: 0.5, block: 0.9 },
        modelVersion: 'm1',
        eventTime: t0 + i,
        scoredAt: t0 + i + 5,
        features: {
          featureSetFingerprint: FEATURE_SET_FINGERPRINT.slice(0, 16),
          values: Array.from({ length: FEATURE_COUNT }, (_, c) => (c === 3 ? Number.NaN : i + c / 8)),
        },
      }),
    );
    const labels: FraudLabel[] = [
      ...decisions.map((d, i) => ({
        transactionId: d.transactionId,
        isFraud: i < 3,
        source: 'chargeback',
        labeledAt: t0 + 1000,
      })),
      // An analyst overturns transaction 0, and a label names a transaction never decided.
      { transactionId: `${base}-0`, isFraud: false, source: 'analyst', labeledAt: t0 + 2000 },
      { transactionId: `${base}-ghost`, isFraud: true, source: 'analyst', labeledAt: t0 + 2000 },
    ];
    await produce(decisions, labels);

    const out = await mkdtemp(path.join(os.tmpdir(), 'dataset-cli-'));
    dirs.push(out);
    const common = [
      '--from',
      String(t0 - 1),
      '--to',
      'now',
      '--out',
      out,
      '--decisions',
      topics.decisions,
      '--labels',
      topics.labels,
      '--max-seconds',
      '60',
    ];
    const refused = await cli('dataset.ts', [...common, '--min-frauds', '20']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /DatasetRefusedError: refusing .* 2 fraud and 28 legitimate rows .* at least 20 frauds/,
    );

    const built = await cli('dataset.ts', [...common, '--min-frauds', '2']);
    expect(built.code).toBe(0);
    const manifest = JSON.parse(built.stdout) as DatasetManifest;
    expect(manifest.rows).toBe(30);
    expect(manifest.label_counts).toEqual({ fraud: 2, legitimate_labelled: 28, legitimate_matured: 0 });
    expect(manifest.labels).toMatchObject({ events: 32, corrected: 1, unknown_transactions: 1 });
    const csv = await readFile(path.join(out, manifest.dataset_id, 'data.csv'), 'utf8');
    expect(csv.split('\n')[1]).toMatch(new RegExp(`^${base}-0,${t0},m1,0,analyst,0,0.125,0.25,,0.5`));
    const audit = await readFile(path.join(out, manifest.dataset_id, 'label-audit.csv'), 'utf8');
    expect(audit).toContain(`${base}-0,true,chargeback,${t0 + 1000}`);
    expect(audit).toMatch(
      new RegExp(`${base}-ghost,true,analyst,${t0 + 2000},\\d+,\\d+,unknown_transaction`),
    );
  });

  it('npm run gate --if-challenger and npm run rollback work on a models directory', async () => {
    const models = await mkdtemp(path.join(os.tmpdir(), 'gate-cli-'));
    dirs.push(models);
    const committed = await readModelRegistry(path.join(REPO_ROOT, 'models'));
    const champion = committed.versions.find((v) => v.version === committed.champion)!;
    await writeModelRegistry(models, {
      schema_version: 1,
      champion: champion.version,
      versions: [champion],
      updated: champion.created,
    });
    const gate = await cli('gate.ts', ['--models', models, '--if-challenger']);
    expect(gate).toMatchObject({ code: 0, stdout: 'no challenger: nothing to gate\n' });
    const noChallenger = await cli('gate.ts', ['--models', models]);
    expect(noChallenger.code).toBe(1);
    expect(noChallenger.stderr).toMatch(/names no challenger/);
    const rollback = await cli('rollback.ts', ['--models', models]);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/nothing to roll back to/);
  });
});
