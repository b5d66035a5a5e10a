import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '@fraud/features';
import { describeContribution, describeReason, REASON_PHRASES } from './reasons.ts';

describe('reason codes in words', () => {
  it('has a phrase for every model feature', () => {
    expect(FEATURE_NAMES.filter((f) => !(f in REASON_PHRASES))).toEqual([]);
  });

  it('says what happened, with the value in units a person reads', () => {
    expect(describeReason('cashout_secs_since_in_transfer', 1200, 'USD')).toBe(
      'cash-out 20 min after an incoming transfer',
    );
    expect(describeReason('cashout_amount_gap', 0, 'USD')).toBe(
      'cash-out of the same amount an incoming transfer just brought in',
    );
    expect(describeReason('amount_log', Math.log1p(1_234_56), 'USD')).toBe('amount of 1,234.56 USD');
    expect(describeReason('orig_drain_ratio', 1, 'USD')).toBe("moves 100% of the sender's balance");
    expect(describeReason('dest_unseen', 1, 'USD')).toBe(
      'receiver has never received money before (new payee)',
    );
    expect(describeReason('orig_out_count_1h', 1, 'USD')).toBe(
      'sender made 1 other outgoing transaction in the hour before',
    );
    expect(describeReason('orig_secs_since_prev', 0.011, 'USD')).toBe(
      "11 ms since the sender's previous transaction",
    );
  });

  it('explains a missing value instead of printing NaN', () => {
    expect(describeReason('orig_secs_since_prev', null, 'USD')).toBe(
      'no earlier transaction from the sender',
    );
    expect(describeReason('dest_in_count_1h', null, 'USD')).toBe('dest in count 1h: unknown (missing)');
  });

  it('falls back to the raw name for a feature a newer model added', () => {
    expect(describeReason('device_age_days', 2.5, 'USD')).toBe('device age days = 2.500');
  });

  it('states the direction of a contribution', () => {
    expect(describeContribution(1.234)).toBe('raises the risk (+1.23 log-odds)');
    expect(describeContribution(-0.5)).toBe('lowers the risk (−0.50 log-odds)');
  });
});
