import { ValidationError } from './errors.ts';
import { TransactionTypeValues, type Transaction } from './generated/types.generated.ts';

/** @default 5 minutes: clocks drift, but an event hours ahead is a producer bug. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

const BALANCE_FIELDS = [
  'originBalanceBeforeMinor',
  'originBalanceAfterMinor',
  'destinationBalanceBeforeMinor',
  'destinationBalanceAfterMinor',
] as const;

const MAX_ID_LENGTH = 128;

function requireId(
  tx: Transaction,
  field: 'transactionId' | 'originAccountId' | 'destinationAccountId',
): void {
  const value = tx[field];
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, 'is missing or empty');
  if (value.length > MAX_ID_LENGTH)
    throw new ValidationError(field, `is longer than ${MAX_ID_LENGTH} characters`);
}

/**
 * Checks the rules Avro cannot express. Throws a ValidationError naming the first bad field;
 * callers write no state for a transaction that fails.
 */
export function validateTransaction(
  tx: Transaction,
  nowMs: number = Date.now(),
  maxFutureSkewMs: number = DEFAULT_MAX_FUTURE_SKEW_MS,
): Transaction {
  requireId(tx, 'transactionId');
  requireId(tx, 'originAccountId');
  requireId(tx, 'destinationAccountId');
  if (!(TransactionTypeValues as readonly string[]).includes(tx.type)) {
    throw new ValidationError('type', `unknown transaction type "${String(tx.type)}"`);
  }
  if (!Number.isSafeInteger(tx.amountMinor))
    throw new ValidationError('amountMinor', 'is not a finite integer');
  // Zero is valid: zero-value authorisations are real (card testers use them), and refusing them
  // would hide exactly the fraud the scorer exists to catch. Negative amounts are never valid.
  if (tx.amountMinor < 0) throw new ValidationError('amountMinor', `must be >= 0, got ${tx.amountMinor}`);
  if (!/^[A-Z]{3}$/.test(tx.currency))
    throw new ValidationError('currency', `"${tx.currency}" is not an ISO 4217 code`);
  if (!Number.isSafeInteger(tx.eventTime) || tx.eventTime <= 0) {
    throw new ValidationError('eventTime', 'is not a valid timestamp');
  }
  if (tx.eventTime > nowMs + maxFutureSkewMs) {
    throw new ValidationError('eventTime', `is ${tx.eventTime - nowMs} ms in the future`);
  }
  for (const field of BALANCE_FIELDS) {
    const value = tx[field];
    if (value !== null && !Number.isSafeInteger(value))
      throw new ValidationError(field, 'is not a finite integer');
  }
  return tx;
}
