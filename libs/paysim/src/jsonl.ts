import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Transaction } from '@fraud/contracts';
import { PaysimRowError, type InvalidRowOptions } from './errors.ts';
import { PAYSIM_TYPES, type LabeledTransaction } from './format.ts';

export interface JsonlRow {
  tx: Transaction;
  /** The line's optional `isFraud`; undefined when the line has none. */
  isFraud: boolean | undefined;
  /** 1-based line number. */
  line: number;
}

const REQUIRED_STRINGS = ['transactionId', 'currency', 'originAccountId', 'destinationAccountId'] as const;
const OPTIONAL_STRINGS = ['channel', 'deviceId', 'countryCode', 'merchantCategory'] as const;
const OPTIONAL_INTEGERS = [
  'originBalanceBeforeMinor',
  'originBalanceAfterMinor',
  'destinationBalanceBeforeMinor',
  'destinationBalanceAfterMinor',
] as const;

/**
 * Checks one parsed JSON value against the Transaction shape. Optional (nullable) fields may be
 * absent and become null, so producers can omit what they do not know.
 */
export function parseTransactionJson(value: unknown, line: number): JsonlRow {
  const bad = (field: string, detail: string) =>
    new PaysimRowError(line, field, 'invalid_value', detail, undefined);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('line', 'is not a JSON object');
  const o = value as Record<string, unknown>;
  for (const field of REQUIRED_STRINGS) {
    if (typeof o[field] !== 'string' || o[field] === '') throw bad(field, 'must be a non-empty string');
  }
  if (typeof o.type !== 'string' || !PAYSIM_TYPES.has(o.type))
    throw bad('type', `unknown transaction type ${JSON.stringify(o.type)}`);
  if (!Number.isSafeInteger(o.eventTime)) throw bad('eventTime', 'must be an integer (epoch milliseconds)');
  if (!Number.isSafeInteger(o.amountMinor) || (o.amountMinor as number) < 0) {
    throw bad('amountMinor', 'must be an integer >= 0');
  }
  const tx = {
    transactionId: o.transactionId,
    eventTime: o.eventTime,
    type: o.type,
    amountMinor: o.amountMinor,
    currency: o.currency,
    originAccountId: o.originAccountId,
    destinationAccountId: o.destinationAccountId,
  } as Record<string, unknown>;
  for (const field of OPTIONAL_STRINGS) {
    const v = o[field] ?? null;
    if (v !== null && typeof v !== 'string') throw bad(field, 'must be a string or null');
    tx[field] = v;
  }
  for (const field of OPTIONAL_INTEGERS) {
    const v = o[field] ?? null;
    if (v !== null && !Number.isSafeInteger(v)) throw bad(field, 'must be an integer or null');
    tx[field] = v;
  }
  if (o.isFraud !== undefined && typeof o.isFraud !== 'boolean') throw bad('isFraud', 'must be a boolean');
  return { tx: tx as unknown as Transaction, isFraud: o.isFraud, line };
}

/**
 * Streams JSON lines of Transaction events (one object per line, optional boolean `isFraud`),
 * in constant memory. Blank lines are skipped; a bad line throws PaysimRowError naming the line
 * and field, or is reported to `onInvalidRow` and skipped.
 */
export async function* readTransactionsJsonl(
  source: Readable | AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  options: InvalidRowOptions = {},
): AsyncGenerator<JsonlRow> {
  const input = source instanceof Readable ? source : Readable.from(source);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      try {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          throw new PaysimRowError(line, 'line', 'invalid_json', (error as Error).message, undefined, {
            cause: error,
          });
        }
        yield parseTransactionJson(value, line);
      } catch (error) {
        if (!(error instanceof PaysimRowError) || !options.onInvalidRow) throw error;
        options.onInvalidRow(error);
      }
    }
  } finally {
    lines.close();
    if (!input.destroyed) input.destroy();
  }
}

export function readTransactionsJsonlFile(
  path: string,
  options: InvalidRowOptions = {},
): AsyncGenerator<JsonlRow> {
  return readTransactionsJsonl(createReadStream(path), options);
}

/** One JSON line (no newline) for a labeled transaction: the Transaction's fields plus isFraud. */
export function formatTransactionJsonl({ tx, isFraud }: LabeledTransaction): string {
  return JSON.stringify({ ...tx, isFraud });
}
