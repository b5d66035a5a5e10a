import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReasonCode, Transaction } from '@fraud/contracts';
import {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  MemoryFeatureStore,
  type FeatureMatrix,
} from '@fraud/features';
import { loadModelDirectory, readModelRegistry } from '@fraud/model';
import type { ActiveModel } from './active-model.ts';
import { BatchScorer } from './batch-scorer.ts';
import { OnnxActiveModel } from './onnx-active-model.ts';
import { copyModels, type TestModels } from './testing/test-models.ts';

/** A chunk where accounts repeat, so velocity state and scores vary from row to row. */
function transactions(count: number, runId: string): Transaction[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const amountMinor = 100 + ((i * 7919) % 900_000);
    const balance = (i * 104_729) % 2_000_000;
    const transfer = i % 3 === 0;
    return {
      transactionId: `${runId}-${i}`,
      eventTime: start + i * 1_000,
      type: transfer ? 'TRANSFER' : i % 3 === 1 ? 'CASH_OUT' : 'PAYMENT',
      amountMinor,
      currency: 'USD',
      originAccountId: `${runId}-C${i % 17}`,
      destinationAccountId: `${runId}-C${(i * 5) % 23}`,
      channel: null,
      deviceId: null,
      countryCode: null,
      merchantCategory: null,
      originBalanceBeforeMinor: balance,
      originBalanceAfterMinor: Math.max(0, balance - amountMinor),
      destinationBalanceBeforeMinor: transfer ? 0 : null,
      destinationBalanceAfterMinor: transfer ? amountMinor : null,
    } satisfies Transaction;
  });
}

/** `model` with other thresholds, exposing only what `parts` names (to test each explain path). */
function withThresholds(
  model: OnnxActiveModel,
  review: number,
  block: number,
  parts: { explainRows?: boolean; explain?: boolean },
): ActiveModel {
  return {
    version: model.version,
    featureFingerprint: model.featureFingerprint,
    thresholds: { review, block },
    score: (m: FeatureMatrix) => model.score(m),
    explainRows: parts.explainRows ? (m, rows) => model.explainRows(m, rows) : undefined,
    explain: parts.explain ? (m, row) => model.explain(m, row) : undefined,
  };
}

describe('BatchScorer explain step', () => {
  let models: TestModels;
  let model: OnnxActiveModel;

  beforeAll(async () => {
    models = await copyModels();
    const registry = await readModelRegistry(models.dir);
    const entry = registry.versions.find((v) => v.version === registry.champion)!;
    const loaded = await loadModelDirectory(path.join(models.dir, entry.path), {
      expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
      expectedFeatureNames: FEATURE_NAMES,
    });
    model = await OnnxActiveModel.create(loaded);
  });
  afterAll(async () => {
    await model?.close();
    await models?.remove();
  });

  async function scoreWith(parts: { explainRows?: boolean; explain?: boolean }) {
    const txs = transactions(200, 'bs');
    const featureStore = new MemoryFeatureStore();
    // First pass: the scores, to put the thresholds inside their range (a mixed chunk).
    const probe = await new BatchScorer({
      featureStore,
      models: { current: () => withThresholds(model, 2, 2, {}) },
    }).score(txs);
    const sorted = [...probe.champion.scores].sort((a, b) => a - b);
    const review = sorted[Math.floor(sorted.length * 0.5)]!;
    const block = sorted[Math.floor(sorted.length * 0.8)]!;
    // Redeliveries return the stored rows (idempotent), so the second pass sees the same matrix.
    const active = withThresholds(model, review, block, parts);
    const batch = await new BatchScorer({ featureStore, models: { current: () => active } }).score(txs);
    return { batch, probe };
  }

  it('explains every flagged row in one batched call, equal to the per-row explainer', async () => {
    const { batch, probe } = await scoreWith({ explainRows: true });
    expect(batch.features.data).toEqual(probe.features.data);
    const flagged = batch.decisions.flatMap((d, row) => (d === 'ALLOW' ? [] : [row]));
    expect(flagged.length).toBeGreaterThan(50);
    expect(flagged.length).toBeLessThan(200);
    expect(batch.explained).toBe(flagged.length);
    for (let row = 0; row < batch.decisions.length; row++) {
      const expected: ReasonCode[] =
        batch.decisions[row] === 'ALLOW' ? [] : model.explain(batch.features, row);
      expect(batch.reasonCodes[row]).toEqual(expected);
      if (batch.decisions[row] !== 'ALLOW') expect(batch.reasonCodes[row]).toHaveLength(3);
    }
  });

  it('shares one frozen empty list for unflagged rows (no allocation per ALLOW row)', async () => {
    const { batch } = await scoreWith({ explainRows: true });
    const allowed = batch.decisions.flatMap((d, row) => (d === 'ALLOW' ? [row] : []));
    expect(allowed.length).toBeGreaterThan(1);
    const first = batch.reasonCodes[allowed[0]!]!;
    for (const row of allowed) expect(batch.reasonCodes[row]).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('falls back to per-row explain, and explains nothing without an explainer', async () => {
    const perRow = await scoreWith({ explain: true });
    const batched = await scoreWith({ explainRows: true });
    expect(perRow.batch.reasonCodes).toEqual(batched.batch.reasonCodes);
    expect(perRow.batch.explained).toBe(batched.batch.explained);

    const none = await scoreWith({});
    expect(none.batch.explained).toBe(0);
    expect(none.batch.reasonCodes.every((codes) => codes.length === 0)).toBe(true);
  });
});
