import type { Transaction, TransactionType } from '@fraud/contracts';
import { seededRandom } from '@fraud/test-support';

const prng = seededRandom;

const TYPES: TransactionType[] = [
  'PAYMENT',
  'PAYMENT',
  'PAYMENT',
  'TRANSFER',
  'CASH_OUT',
  'CASH_IN',
  'DEBIT',
];

/**
 * Transactions for scorer tests: a small population so accounts repeat (velocity state matters),
 * with every fifth transfer followed by a same-amount cash-out from the receiver (a drain pattern
 * the model flags), event times just before `nowMs` so the future-skew check passes.
 */
export function makeTransactions(
  count: number,
  seed: number,
  runId: string,
  nowMs = Date.now(),
): Transaction[] {
  const random = prng(seed);
  const accounts = 200;
  const txs: Transaction[] = [];
  const start = nowMs - 60 * 60_000;
  for (let i = 0; txs.length < count; i++) {
    const type = TYPES[Math.floor(random() * TYPES.length)]!;
    const origin = `C${Math.floor(random() * accounts)}`;
    const destination =
      type === 'PAYMENT' ? `M${Math.floor(random() * 50)}` : `C${Math.floor(random() * accounts)}`;
    const amountMinor = Math.max(1, Math.round(Math.exp(random() * 10) * 100));
    const balance = Math.round(random() * 5_000_000);
    const eventTime = start + Math.floor((i * 60 * 60_000) / (count + 1));
    txs.push({
      transactionId: `${runId}-${i}`,
      eventTime,
      type,
      amountMinor,
      currency: 'USD',
      originAccountId: `${runId}-${origin}`,
      destinationAccountId: `${runId}-${destination}`,
      channel: null,
      deviceId: null,
      countryCode: null,
      merchantCategory: null,
      originBalanceBeforeMinor: balance,
      originBalanceAfterMinor: Math.max(0, balance - amountMinor),
      destinationBalanceBeforeMinor: type === 'PAYMENT' ? null : 0,
      destinationBalanceAfterMinor: type === 'PAYMENT' ? null : amountMinor,
    });
    if (type === 'TRANSFER' && i % 5 === 0 && txs.length < count) {
      txs.push({
        ...txs[txs.length - 1]!,
        transactionId: `${runId}-${i}-co`,
        eventTime: eventTime + 1,
        type: 'CASH_OUT',
        originAccountId: `${runId}-${destination}`,
        destinationAccountId: `${runId}-M-agent`,
        originBalanceBeforeMinor: amountMinor,
        originBalanceAfterMinor: 0,
        destinationBalanceBeforeMinor: null,
        destinationBalanceAfterMinor: null,
      });
    }
  }
  return txs;
}
