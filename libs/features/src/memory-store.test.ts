import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from './definitions.ts';
import { UnusableTransactionError } from './errors.ts';
import { featureRow } from './matrix.ts';
import { MemoryFeatureStore } from './memory-store.ts';
import { HISTORY_HORIZON_MS } from './parameters.ts';
import { encodeAccountState } from './state.ts';
import { generateTransactions } from './testing/generate-transactions.ts';
import { firstDifference, tx } from './testing/helpers.ts';

const T = Date.UTC(2024, 0, 1, 9);
const col = (name: string) => FEATURE_NAMES.indexOf(name);

describe('MemoryFeatureStore', () => {
  it('sees the takeover pattern: drain to a new payee, then a cash-out of the same amount from it', async () => {
    const store = new MemoryFeatureStore();
    const m = await store.applyBatch([
      tx({
        transactionId: 'a',
        eventTime: T,
        originAccountId: 'victim',
        destinationAccountId: 'shop',
        amountMinor: 300,
      }),
      tx({
        transactionId: 'b',
        eventTime: T + 60_000,
        type: 'TRANSFER',
        originAccountId: 'victim',
        destinationAccountId: 'mule',
        amountMinor: 90_000,
        originBalanceBeforeMinor: 90_000,
        originBalanceAfterMinor: 0,
      }),
      tx({
        transactionId: 'c',
        eventTime: T + 180_000,
        type: 'CASH_OUT',
        originAccountId: 'mule',
        destinationAccountId: 'agent',
        amountMinor: 90_000,
      }),
    ]);
    const b = featureRow(m, 1);
    expect(b[col('orig_amount_to_max_out')]).toBe(300);
    expect(b[col('orig_drain_ratio')]).toBe(1);
    expect(b[col('orig_balance_after_zero')]).toBe(1);
    expect(b[col('dest_unseen')]).toBe(1);
    expect(b[col('orig_secs_since_prev')]).toBe(60);
    const c = featureRow(m, 2);
    expect(c[col('cashout_amount_gap')]).toBe(0);
    expect(c[col('cashout_secs_since_in_transfer')]).toBe(120);
    expect(c[col('orig_in_count_1h')]).toBe(1);
  });

  it('sees a card-testing burst in the 1h velocity of the origin', async () => {
    const store = new MemoryFeatureStore();
    const burst = Array.from({ length: 20 }, (_, k) =>
      tx({
        transactionId: `p${k}`,
        eventTime: T + k * 5_000,
        originAccountId: 'card',
        destinationAccountId: `M${k}`,
        amountMinor: 150,
      }),
    );
    const m = await store.applyBatch(burst);
    const last = featureRow(m, 19);
    expect(last[col('orig_out_count_1h')]).toBe(19);
    expect(last[col('orig_out_sum_1h_log')]).toBeCloseTo(Math.log1p(19 * 150), 5);
    expect(last[col('orig_secs_since_prev')]).toBe(5);
  });

  it('sees mule fan-in on the destination side', async () => {
    const store = new MemoryFeatureStore();
    const m = await store.applyBatch(
      Array.from({ length: 6 }, (_, k) =>
        tx({
          transactionId: `f${k}`,
          eventTime: T + k * 60_000,
          type: 'TRANSFER',
          originAccountId: `C${k}`,
          destinationAccountId: 'mule',
        }),
      ),
    );
    expect(featureRow(m, 5)[col('dest_in_count_1h')]).toBe(5);
    expect(featureRow(m, 0)[col('dest_unseen')]).toBe(1);
    expect(featureRow(m, 5)[col('dest_unseen')]).toBe(0);
  });

  it('a self-transfer sees the account before the transaction on both sides', async () => {
    const store = new MemoryFeatureStore();
    const m = await store.applyBatch([
      tx({
        transactionId: 's1',
        eventTime: T,
        type: 'TRANSFER',
        originAccountId: 'A',
        destinationAccountId: 'A',
      }),
      tx({
        transactionId: 's2',
        eventTime: T + 1_000,
        type: 'TRANSFER',
        originAccountId: 'A',
        destinationAccountId: 'A',
      }),
    ]);
    expect(featureRow(m, 0)[col('orig_history_count')]).toBe(0);
    expect(featureRow(m, 0)[col('dest_unseen')]).toBe(1);
    expect(featureRow(m, 1)[col('orig_history_count')]).toBe(2);
    expect(featureRow(m, 1)[col('dest_in_count_1h')]).toBe(1);
  });

  it('is idempotent per transaction id, within a batch and across batches', async () => {
    const store = new MemoryFeatureStore();
    const a = tx({ transactionId: 'x', eventTime: T, originAccountId: 'A' });
    const first = await store.applyBatch([a, a]);
    const state = encodeAccountState(store.accountState('A')!);
    const again = await store.applyBatch([a]);
    expect(firstDifference(featureRow(first, 0), featureRow(first, 1))).toBeUndefined();
    expect(firstDifference(featureRow(first, 0), featureRow(again, 0))).toBeUndefined();
    expect(encodeAccountState(store.accountState('A')!)).toEqual(state);
  });

  it('rejects a batch with an unusable field before writing anything, naming the field', async () => {
    const store = new MemoryFeatureStore();
    const bad = { ...tx({ transactionId: 'bad', eventTime: T }), amountMinor: 0 };
    const err = await store
      .applyBatch([tx({ transactionId: 'ok', eventTime: T }), bad])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnusableTransactionError);
    expect(err).toMatchObject({ field: 'amountMinor', index: 1 });
    expect(store.size.accounts).toBe(0);
    await expect(
      store.applyBatch([{ ...tx({ transactionId: 'n', eventTime: T }), originBalanceAfterMinor: 1.5 }]),
    ).rejects.toMatchObject({
      field: 'originBalanceAfterMinor',
    });
  });

  it('sweeping idle accounts bounds memory without changing any feature', () => {
    const { txs } = generateTransactions({ count: 30_000, seed: 3, meanGapMs: 20_000 }); // ~7 days
    const kept = new MemoryFeatureStore({ sweepEvery: 1e12 });
    const swept = new MemoryFeatureStore({ sweepEvery: 1_000 });
    for (let i = 0; i < txs.length; i += 500) {
      const batch = txs.slice(i, i + 500);
      expect(
        firstDifference(kept.applyBatchSync(batch).data, swept.applyBatchSync(batch).data),
      ).toBeUndefined();
    }
    expect(swept.size.accounts).toBeLessThan(kept.size.accounts);
    expect(HISTORY_HORIZON_MS).toBeGreaterThan(0);
  });

  it('replays 200k transactions quickly (training path)', () => {
    const { txs } = generateTransactions({ count: 200_000, seed: 5 });
    const store = new MemoryFeatureStore({ idempotencyRetentionMs: 0 });
    const t0 = performance.now();
    for (let i = 0; i < txs.length; i += 4096) store.applyBatchSync(txs.slice(i, i + 4096));
    // Generous bound: correctness test, not a benchmark; it only catches an accidental O(n^2).
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
