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
    const bad = { ...tx({ transactionId: 'bad', eventTime: T }), amountMinor: -1 };
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

describe('feature set 2: signals without balances, and the optional fields', () => {
  const T0 = Date.UTC(2024, 2, 1, 10);
  const value = (m: { data: Float32Array; cols: number }, row: number, name: string): number =>
    m.data[row * m.cols + FEATURE_NAMES.indexOf(name)]!;

  it('links a CASH_OUT to an earlier TRANSFER of the same amount between unrelated accounts', () => {
    const store = new MemoryFeatureStore();
    const m = store.applyBatchSync([
      tx({
        transactionId: 't1',
        eventTime: T0,
        type: 'TRANSFER',
        amountMinor: 1_812_34,
        originAccountId: 'V',
        destinationAccountId: 'X',
      }),
      tx({
        transactionId: 'c1',
        eventTime: T0 + 50,
        type: 'CASH_OUT',
        amountMinor: 1_812_34,
        originAccountId: 'Y',
        destinationAccountId: 'Z',
      }),
      tx({
        transactionId: 'c2',
        eventTime: T0 + 90,
        type: 'CASH_OUT',
        amountMinor: 1_812_35,
        originAccountId: 'Y',
        destinationAccountId: 'Z',
      }),
      tx({
        transactionId: 'p1',
        eventTime: T0 + 99,
        type: 'PAYMENT',
        amountMinor: 1_812_34,
        originAccountId: 'Y',
        destinationAccountId: 'M1',
      }),
    ]);
    expect(value(m, 0, 'same_amount_transfers_1h')).toBe(0); // its own transfer does not count
    expect(value(m, 1, 'same_amount_transfers_1h')).toBe(1);
    expect(value(m, 1, 'same_amount_transfers_24h')).toBe(1);
    expect(value(m, 1, 'secs_since_same_amount_transfer')).toBeCloseTo(0.05, 6);
    expect(value(m, 2, 'same_amount_transfers_1h')).toBe(0); // one cent off: no match
    expect(value(m, 2, 'secs_since_same_amount_transfer')).toBeNaN();
    expect(value(m, 3, 'same_amount_transfers_1h')).toBeNaN(); // only TRANSFER / CASH_OUT use the index
  });

  it('flags a new device and a new country per origin, NaN when the field is absent', () => {
    const store = new MemoryFeatureStore();
    const base = { type: 'PAYMENT' as const, originAccountId: 'A', destinationAccountId: 'M1' };
    const m = store.applyBatchSync([
      tx({ ...base, transactionId: 'd1', eventTime: T0, deviceId: 'dev1', countryCode: 'US' }),
      tx({ ...base, transactionId: 'd2', eventTime: T0 + 1, deviceId: 'dev1', countryCode: 'US' }),
      tx({ ...base, transactionId: 'd3', eventTime: T0 + 2, deviceId: 'dev2', countryCode: 'BR' }),
      tx({ ...base, transactionId: 'd4', eventTime: T0 + 3 }),
      tx({ ...base, originAccountId: 'B', transactionId: 'd5', eventTime: T0 + 4, deviceId: 'dev1' }),
    ]);
    expect([0, 1, 2, 3, 4].map((r) => value(m, r, 'device_new_for_orig'))).toEqual([1, 0, 1, NaN, 1]);
    expect([0, 1, 2, 3].map((r) => value(m, r, 'country_new_for_orig'))).toEqual([1, 0, 1, NaN]);
  });

  it('reads channel, merchant-category risk, round amounts and the inflow/outflow ratio', () => {
    const store = new MemoryFeatureStore();
    const m = store.applyBatchSync([
      tx({
        transactionId: 'i',
        eventTime: T0,
        type: 'CASH_IN',
        amountMinor: 50_000,
        originAccountId: 'A',
        destinationAccountId: 'B',
      }),
      tx({
        transactionId: 'o',
        eventTime: T0 + 5,
        type: 'CASH_OUT',
        amountMinor: 200_000,
        originAccountId: 'B',
        destinationAccountId: 'C',
        channel: 'WEB',
        merchantCategory: 'CRYPTO',
      }),
      tx({
        transactionId: 'z',
        eventTime: T0 + 6,
        amountMinor: 1_999,
        channel: 'SMOKE_SIGNAL',
        merchantCategory: 'unheard_of',
      }),
    ]);
    expect(value(m, 1, 'orig_in_out_ratio_24h')).toBeCloseTo(0.25, 6);
    expect(value(m, 1, 'channel_code')).toBe(1);
    expect(value(m, 1, 'merchant_category_risk')).toBeCloseTo(0.9, 6);
    expect(value(m, 1, 'amount_whole_units')).toBe(1);
    expect(value(m, 1, 'amount_round')).toBe(1);
    expect(value(m, 2, 'amount_whole_units')).toBe(0);
    expect(value(m, 2, 'channel_code')).toBeNaN();
    expect(value(m, 2, 'merchant_category_risk')).toBeNaN();
    expect(value(m, 0, 'channel_code')).toBeNaN();
  });
});
