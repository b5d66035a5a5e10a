import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import type { Transaction } from './generated/types.generated.ts';
import { validateTransaction } from './validate.ts';

const now = 1_800_000_000_000;
const good: Transaction = {
  transactionId: 't-1',
  eventTime: now - 1_000,
  type: 'TRANSFER',
  amountMinor: 100,
  currency: 'USD',
  originAccountId: 'C1',
  destinationAccountId: 'C2',
  channel: null,
  deviceId: null,
  countryCode: null,
  merchantCategory: null,
  originBalanceBeforeMinor: null,
  originBalanceAfterMinor: null,
  destinationBalanceBeforeMinor: null,
  destinationBalanceAfterMinor: null,
};

describe('validateTransaction', () => {
  it('accepts a good transaction, with or without balances', () => {
    expect(validateTransaction(good, now)).toBe(good);
    expect(
      validateTransaction({ ...good, originBalanceBeforeMinor: 500, originBalanceAfterMinor: 400 }, now),
    ).toBeTruthy();
  });

  it('accepts a zero amount (zero-value authorisations are real)', () => {
    expect(validateTransaction({ ...good, amountMinor: 0 }, now).amountMinor).toBe(0);
  });

  it.each<[Partial<Record<keyof Transaction, unknown>>, string]>([
    [{ amountMinor: -5 }, 'amountMinor'],
    [{ amountMinor: Number.NaN }, 'amountMinor'],
    [{ amountMinor: Number.POSITIVE_INFINITY }, 'amountMinor'],
    [{ type: 'REFUND' }, 'type'],
    [{ transactionId: '' }, 'transactionId'],
    [{ originAccountId: '  ' }, 'originAccountId'],
    [{ destinationAccountId: 'x'.repeat(200) }, 'destinationAccountId'],
    [{ currency: 'usd' }, 'currency'],
    [{ eventTime: now + 3_600_000 }, 'eventTime'],
    [{ eventTime: 0 }, 'eventTime'],
    [{ originBalanceAfterMinor: Number.NaN }, 'originBalanceAfterMinor'],
  ])('names the bad field: %o', (override, field) => {
    const tx = { ...good, ...override } as Transaction;
    expect(() => validateTransaction(tx, now)).toThrow(ValidationError);
    try {
      validateTransaction(tx, now);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).message.startsWith(`${field}: `)).toBe(true);
    }
  });
});
