import { describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { TrainingDataError } from './errors.ts';
import { blankerOf } from './input.ts';

const tx: Transaction = {
  transactionId: 't',
  eventTime: 1,
  type: 'TRANSFER',
  amountMinor: 0,
  currency: 'USD',
  originAccountId: 'C1',
  destinationAccountId: 'C2',
  channel: 'WEB',
  deviceId: 'd1',
  countryCode: 'KE',
  merchantCategory: null,
  originBalanceBeforeMinor: 100,
  originBalanceAfterMinor: 100,
  destinationBalanceBeforeMinor: 5,
  destinationBalanceAfterMinor: 5,
};

describe('blankerOf (what a model may read)', () => {
  it('keeps every field by default and blanks only the balances with withoutBalances', () => {
    expect(blankerOf({})(tx)).toBe(tx);
    const out = blankerOf({ withoutBalances: true })(tx);
    expect(out).toMatchObject({
      originBalanceBeforeMinor: null,
      destinationBalanceAfterMinor: null,
      deviceId: 'd1',
    });
    expect(tx.originBalanceBeforeMinor).toBe(100); // the input row is not mutated
  });

  it('keeps only the stream fields, and names an unknown one', () => {
    const out = blankerOf({ streamFields: ['deviceId'] })(tx);
    expect(out).toMatchObject({
      deviceId: 'd1',
      channel: null,
      countryCode: null,
      originBalanceBeforeMinor: null,
    });
    expect(blankerOf({ streamFields: [] })(tx).deviceId).toBeNull();
    expect(() => blankerOf({ streamFields: ['shoeSize'] })).toThrow(TrainingDataError);
  });
});
