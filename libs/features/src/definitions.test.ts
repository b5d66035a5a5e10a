import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_NAMES, computeFeatures } from './definitions.ts';
import { FEATURE_SET_FINGERPRINT, FEATURE_SET_VERSION } from './fingerprint.ts';
import { DRAIN_RATIO_CAP } from './parameters.ts';
import { tx } from './testing/helpers.ts';
import { EMPTY_VIEW, type AccountView } from './view.ts';

const f = (values: Float64Array, name: string): number => values[FEATURE_NAMES.indexOf(name)]!;
const view = (v: Partial<AccountView>): AccountView => ({ ...EMPTY_VIEW, ...v });
const T = Date.UTC(2024, 2, 1, 13, 30);

describe('feature definitions', () => {
  it('has unique snake_case names, one value per name, and a sha256 fingerprint', () => {
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
    for (const n of FEATURE_NAMES) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(computeFeatures(tx({ transactionId: 't', eventTime: T }), EMPTY_VIEW, EMPTY_VIEW)).toHaveLength(
      FEATURE_COUNT,
    );
    expect(FEATURE_SET_FINGERPRINT).toMatch(/^[0-9a-f]{64}$/);
    expect(FEATURE_SET_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('encodes amount, type (one-hot) and the UTC hour', () => {
    const v = computeFeatures(
      tx({ transactionId: 't', eventTime: T, type: 'CASH_OUT', amountMinor: 99 }),
      EMPTY_VIEW,
      EMPTY_VIEW,
    );
    expect(f(v, 'amount_log')).toBeCloseTo(Math.log(100), 12);
    expect(
      ['type_payment', 'type_transfer', 'type_cash_out', 'type_cash_in', 'type_debit'].map((n) => f(v, n)),
    ).toEqual([0, 0, 1, 0, 0]);
    expect(f(v, 'hour_of_day_utc')).toBe(13);
  });

  it('gives NaN, not zero, for unknown balances and for history that does not exist', () => {
    const v = computeFeatures(tx({ transactionId: 't', eventTime: T }), EMPTY_VIEW, EMPTY_VIEW);
    for (const n of [
      'orig_balance_error',
      'orig_drain_ratio',
      'orig_balance_after_zero',
      'dest_balance_error',
      'orig_amount_to_mean_out',
      'orig_amount_to_max_out',
      'orig_secs_since_prev',
      'dest_secs_since_prev',
      'cashout_amount_gap',
      'cashout_secs_since_in_transfer',
    ]) {
      expect(f(v, n), n).toBeNaN();
    }
    expect(f(v, 'dest_unseen')).toBe(1);
    expect(f(v, 'orig_out_count_1h')).toBe(0);
  });

  it('checks ledger consistency on both sides and flags draining', () => {
    const v = computeFeatures(
      tx({
        transactionId: 't',
        eventTime: T,
        type: 'TRANSFER',
        amountMinor: 500,
        originBalanceBeforeMinor: 500,
        originBalanceAfterMinor: 0,
        destinationBalanceBeforeMinor: 0,
        destinationBalanceAfterMinor: 0,
      }),
      EMPTY_VIEW,
      EMPTY_VIEW,
    );
    expect(f(v, 'orig_balance_error')).toBe(0);
    expect(f(v, 'orig_drain_ratio')).toBe(1);
    expect(f(v, 'orig_balance_after_zero')).toBe(1);
    expect(f(v, 'dest_balance_error')).toBe(500); // money vanished on the destination side
    const empty = computeFeatures(
      tx({ transactionId: 't', eventTime: T, amountMinor: 10_000_000, originBalanceBeforeMinor: 0 }),
      EMPTY_VIEW,
      EMPTY_VIEW,
    );
    expect(f(empty, 'orig_drain_ratio')).toBe(DRAIN_RATIO_CAP);
  });

  it('compares the amount with the origin history and reads the windows from the views', () => {
    const origin = view({
      lastEventTime: T - 90_000,
      outCount: 4,
      outSumMinor: 400,
      outMaxMinor: 200,
      out1hCount: 2,
      out1hSumMinor: 300,
      in24hCount: 3,
    });
    const dest = view({ lastEventTime: T - 10_000, inCount: 7, in1hCount: 5, in24hCount: 6, out24hCount: 2 });
    const v = computeFeatures(tx({ transactionId: 't', eventTime: T, amountMinor: 800 }), origin, dest);
    expect(f(v, 'orig_amount_to_mean_out')).toBe(8);
    expect(f(v, 'orig_amount_to_max_out')).toBe(4);
    expect(f(v, 'orig_out_count_1h')).toBe(2);
    expect(f(v, 'orig_out_sum_1h_log')).toBeCloseTo(Math.log1p(300), 12);
    expect(f(v, 'orig_in_count_24h')).toBe(3);
    expect(f(v, 'orig_secs_since_prev')).toBe(90);
    expect(f(v, 'dest_unseen')).toBe(0);
    expect(f(v, 'dest_in_count_1h')).toBe(5);
    expect(f(v, 'dest_out_count_24h')).toBe(2);
    expect(f(v, 'dest_history_count')).toBe(7);
    expect(f(v, 'dest_secs_since_prev')).toBe(10);
  });

  it('matches a cash-out with the transfer the origin just received, and only for CASH_OUT', () => {
    const mule = view({
      lastEventTime: T - 120_000,
      inCount: 1,
      lastInTransferMinor: 1_000,
      lastInTransferTime: T - 120_000,
    });
    const co = computeFeatures(
      tx({ transactionId: 't', eventTime: T, type: 'CASH_OUT', amountMinor: 900, originAccountId: 'C9' }),
      mule,
      EMPTY_VIEW,
    );
    expect(f(co, 'cashout_amount_gap')).toBeCloseTo(0.1, 12);
    expect(f(co, 'cashout_secs_since_in_transfer')).toBe(120);
    const pay = computeFeatures(
      tx({ transactionId: 't', eventTime: T, type: 'PAYMENT', originAccountId: 'C9' }),
      mule,
      EMPTY_VIEW,
    );
    expect(f(pay, 'cashout_amount_gap')).toBeNaN();
  });

  it('accepts a zero amount and never divides by a zero-amount history', () => {
    const zeroHistory = view({ outCount: 3, outSumMinor: 0, outMaxMinor: 0, lastEventTime: T - 1000 });
    const v = computeFeatures(
      tx({ transactionId: 't', eventTime: T, amountMinor: 0 }),
      zeroHistory,
      EMPTY_VIEW,
    );
    expect(f(v, 'amount_log')).toBe(0);
    expect(f(v, 'orig_amount_to_mean_out')).toBeNaN();
    expect(f(v, 'orig_amount_to_max_out')).toBeNaN();
    for (const x of v) expect(Number.isFinite(x) || Number.isNaN(x)).toBe(true);
  });

  it('flags PaySim merchant destinations', () => {
    expect(
      f(
        computeFeatures(
          tx({ transactionId: 't', eventTime: T, destinationAccountId: 'M7' }),
          EMPTY_VIEW,
          EMPTY_VIEW,
        ),
        'dest_is_merchant',
      ),
    ).toBe(1);
    expect(
      f(
        computeFeatures(
          tx({ transactionId: 't', eventTime: T, destinationAccountId: 'C7' }),
          EMPTY_VIEW,
          EMPTY_VIEW,
        ),
        'dest_is_merchant',
      ),
    ).toBe(0);
  });
});
