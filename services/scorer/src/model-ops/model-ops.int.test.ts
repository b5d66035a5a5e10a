import { afterEach, describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import {
  alertReader,
  countById,
  decisionReader,
  produceTransactions,
  scorerTestContext,
  spawnScorer,
  waitForLog,
  type ScorerProcess,
} from '../testing/harness.ts';
import { makeTransactions } from '../testing/transactions.ts';
import { copyModels } from '@fraud/scoring/testing';

// Model operations on the real stack: real scorer processes, each with its own models directory.
const started: ScorerProcess[] = [];
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const scorer of started.splice(0)) {
    if (scorer.child.exitCode === null && scorer.child.signalCode === null) scorer.kill('SIGKILL');
    await scorer.exited;
  }
  for (const step of cleanup.splice(0)) await step();
});

async function testModels() {
  const models = await copyModels();
  cleanup.push(() => models.remove());
  return models;
}

function start(...args: Parameters<typeof spawnScorer>): ScorerProcess {
  const scorer = spawnScorer(...args);
  started.push(scorer);
  return scorer;
}

function expectExactlyOnce(decidedIds: string[], inputs: readonly Transaction[]): void {
  const counts = countById(decidedIds);
  const missing = inputs.filter((tx) => !counts.has(tx.transactionId));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  expect({ missing: missing.length, duplicated }).toEqual({ missing: 0, duplicated: [] });
  expect(counts.size).toBe(inputs.length);
}

function logLines(scorer: ScorerProcess, message: string): Record<string, unknown>[] {
  return scorer.output
    .join('')
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The scorer's /metrics text (its port is random: it logs it when running). */
async function scrape(scorer: ScorerProcess): Promise<string> {
  const http = logLines(scorer, 'scorer running')[0]?.http as string;
  const response = await fetch(`http://${http}/metrics`);
  return response.text();
}

function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('scorer model operations', () => {
  it('switches to a champion promoted mid-stream: same process, nothing lost or duplicated', async () => {
    const ctx = await scorerTestContext('scorer-hot-reload');
    const models = await testModels();
    await models.addVersion('v-hot-next');
    const inputs = makeTransactions(3000, 11, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const scorer = start(ctx, 'w1', { MODEL_REGISTRY_DIR: models.dir, MODEL_POLL_INTERVAL_MS: '200' });
    await waitForLog(scorer, 'scorer running');
    const pid = scorer.child.pid;
    // Three phases: before the promotion, while it lands (records flowing), after the swap.
    const before = inputs.slice(0, 1000);
    const during = inputs.slice(1000, 2000);
    const after = inputs.slice(2000);
    await produceTransactions(ctx, before);
    await decisions.waitFor((r) => r.length >= before.length, 90_000, 'decisions before the promotion');
    const producing = (async () => {
      for (let i = 0; i < during.length; i += 50) {
        await produceTransactions(ctx, during.slice(i, i + 50));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await models.promote('v-hot-next');
    await waitForLog(scorer, 'model swapped', 30_000);
    await producing;
    await produceTransactions(ctx, after);
    await decisions.waitFor((r) => r.length >= inputs.length, 120_000, 'all decisions');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a late duplicate would show up here
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );
    const versionOf = new Map(decisions.records.map((r) => [r.value.transactionId, r.value.modelVersion]));
    expect(new Set(before.map((tx) => versionOf.get(tx.transactionId)))).toEqual(
      new Set([models.defaultVersion]),
    );
    expect(new Set(after.map((tx) => versionOf.get(tx.transactionId)))).toEqual(new Set(['v-hot-next']));
    // No restart: the same process ran throughout.
    expect(scorer.child.pid).toBe(pid);
    expect(scorer.child.exitCode).toBeNull();
    expect(logLines(scorer, 'scorer running')).toHaveLength(1);
    const metrics = await scrape(scorer);
    expect(metricValue(metrics, 'fraud_model_info', { model_version: 'v-hot-next', role: 'champion' })).toBe(
      1,
    );
    expect(
      metricValue(metrics, 'fraud_model_info', { model_version: models.defaultVersion, role: 'champion' }),
    ).toBe(undefined);
    expect(metricValue(metrics, 'fraud_model_reload_total', { role: 'champion', result: 'success' })).toBe(1);
    await decisions.stop();
    scorer.kill('SIGTERM');
    expect(await scorer.exited).toBe(0);
  });

  it('refuses a promoted model made for another feature set and keeps scoring with the old one', async () => {
    const ctx = await scorerTestContext('scorer-refuse', 1);
    const models = await testModels();
    await models.addVersion('v-other-features', (m) => {
      m.feature_set_fingerprint = '0'.repeat(64);
    });
    const inputs = makeTransactions(400, 12, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const scorer = start(ctx, 'w1', { MODEL_REGISTRY_DIR: models.dir, MODEL_POLL_INTERVAL_MS: '200' });
    await waitForLog(scorer, 'scorer running');
    await models.promote('v-other-features');
    await waitForLog(scorer, 'model refused: other feature set', 30_000);
    await produceTransactions(ctx, inputs);
    await decisions.waitFor((r) => r.length >= inputs.length, 90_000, 'all decisions');
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );
    expect(new Set(decisions.records.map((r) => r.value.modelVersion))).toEqual(
      new Set([models.defaultVersion]),
    );
    const metrics = await scrape(scorer);
    expect(metricValue(metrics, 'fraud_model_reload_total', { role: 'champion', result: 'refused' })).toBe(1);
    expect(
      metricValue(metrics, 'fraud_model_info', { model_version: models.defaultVersion, role: 'champion' }),
    ).toBe(1);
    await decisions.stop();
  });

  it('scores a shadow challenger on every transaction; the champion thresholds decide; alerts carry reason codes', async () => {
    const ctx = await scorerTestContext('scorer-shadow');
    const models = await testModels();
    // Same trees, stricter thresholds: wherever the two disagree, the decision must be the champion's.
    await models.addVersion('v-shadow', (m) => {
      m.thresholds = { review: 0.5, block: 0.95 };
    });
    await models.promote('v-shadow', { challenger: true });
    const inputs = makeTransactions(1500, 13, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const alerts = await alertReader(ctx);
    const scorer = start(ctx, 'w1', { MODEL_REGISTRY_DIR: models.dir, MODEL_POLL_INTERVAL_MS: '500' });
    await waitForLog(scorer, 'scorer running');
    await produceTransactions(ctx, inputs);
    await decisions.waitFor((r) => r.length >= inputs.length, 90_000, 'all decisions');
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );
    let disagreements = 0;
    for (const { value } of decisions.records) {
      expect(value.modelVersion).toBe(models.defaultVersion);
      expect(value.challengerModelVersion).toBe('v-shadow');
      expect(value.challengerScore).toBeTypeOf('number');
      expect(Math.abs(value.challengerScore! - value.score)).toBeLessThan(1e-6); // same trees
      const champion =
        value.score >= value.thresholds.block
          ? 'BLOCK'
          : value.score >= value.thresholds.review
            ? 'REVIEW'
            : 'ALLOW';
      expect(value.decision).toBe(champion);
      if ((value.decision !== 'ALLOW') !== value.challengerScore! >= 0.5) disagreements++;
      if (value.decision === 'ALLOW') expect(value.reasonCodes).toEqual([]);
      else {
        expect(value.reasonCodes).toHaveLength(3);
        const contributions = value.reasonCodes.map((r) => r.contribution);
        expect(contributions).toEqual([...contributions].sort((a, b) => b - a));
      }
    }
    expect(disagreements).toBeGreaterThan(0);

    const flagged = decisions.records.filter((r) => r.value.decision !== 'ALLOW');
    expect(flagged.length).toBeGreaterThan(0);
    await alerts.waitFor((r) => r.length >= flagged.length, 30_000, 'all alerts');
    for (const { value } of alerts.records) {
      expect(value.reasonCodes).toHaveLength(3);
      for (const reason of value.reasonCodes) {
        expect(reason.feature).toMatch(/^[a-z0-9_]+$/);
        expect(Number.isFinite(reason.contribution)).toBe(true);
      }
    }
    const metrics = await scrape(scorer);
    const agreement = metricValue(metrics, 'fraud_challenger_agreement_ratio', {
      champion: models.defaultVersion,
      challenger: 'v-shadow',
    });
    expect(agreement).toBeGreaterThan(0);
    expect(agreement).toBeLessThan(1);
    expect(
      metricValue(metrics, 'fraud_challenger_score_count', { model_version: 'v-shadow' }),
    ).toBeGreaterThanOrEqual(inputs.length);
    expect(metricValue(metrics, 'fraud_model_info', { model_version: 'v-shadow', role: 'challenger' })).toBe(
      1,
    );
    await decisions.stop();
    await alerts.stop();
  });
});
