import { TransactionTypeValues, type Transaction } from '@fraud/contracts';
import { UnusableTransactionError } from './errors.ts';

const TYPES: ReadonlySet<string> = new Set(TransactionTypeValues);
const BALANCES = [
  'originBalanceBeforeMinor',
  'originBalanceAfterMinor',
  'destinationBalanceBeforeMinor',
  'destinationBalanceAfterMinor',
] as const;

function nonEmpty(
  tx: Transaction,
  field: 'transactionId' | 'originAccountId' | 'destinationAccountId',
  i: number,
): void {
  const v = tx[field] as unknown;
  if (typeof v !== 'string' || v === '') throw new UnusableTransactionError(field, 'is missing or empty', i);
}

/**
 * Checks only what the feature code relies on (full contract validation is the caller's job), for
 * the whole batch before anything is written: a store never writes state for part of a batch
 * because a later transaction was bad.
 */
export function assertUsable(txs: readonly Transaction[]): void {
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    nonEmpty(tx, 'transactionId', i);
    nonEmpty(tx, 'originAccountId', i);
    nonEmpty(tx, 'destinationAccountId', i);
    if (!TYPES.has(tx.type))
      throw new UnusableTransactionError('type', `unknown type "${String(tx.type)}"`, i);
    if (!Number.isSafeInteger(tx.amountMinor) || tx.amountMinor < 0) {
      throw new UnusableTransactionError('amountMinor', 'must be a safe integer >= 0', i);
    }
    if (!Number.isSafeInteger(tx.eventTime) || tx.eventTime <= 0) {
      throw new UnusableTransactionError('eventTime', 'must be a positive safe integer (ms)', i);
    }
    for (const f of BALANCES) {
      const v = tx[f];
      if (v !== null && !Number.isSafeInteger(v))
        throw new UnusableTransactionError(f, 'must be null or a safe integer', i);
    }
  }
}
