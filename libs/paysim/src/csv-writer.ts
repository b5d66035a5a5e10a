import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Transaction } from '@fraud/contracts';
import {
  DEFAULT_START_TIME_MS,
  PAYSIM_HEADER,
  isFlaggedByPaysimRule,
  type LabeledTransaction,
} from './format.ts';
import { stepOf } from './time-mapping.ts';

export interface PaysimCsvWriterOptions {
  /** Event time of the start of step 1. @default DEFAULT_START_TIME_MS */
  startTimeMs?: number;
}

/** Minor units to PaySim's 2-decimal major units, exactly (no floating-point division). */
export function formatMinor(minor: number): string {
  const negative = minor < 0;
  const abs = negative ? -minor : minor;
  const cents = abs % 100;
  return `${negative ? '-' : ''}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

const UNSAFE_CELL = /[,"\r\n]/;

function name(id: string): string {
  if (UNSAFE_CELL.test(id)) throw new Error(`account id "${id}" cannot be written unquoted to a PaySim CSV`);
  return id;
}

function balance(minor: number | null): string {
  return minor === null ? '' : formatMinor(minor);
}

/**
 * One PaySim CSV line (no newline). Unknown (null) balances become empty cells, which the importer
 * reads back as null. isFlaggedFraud follows PaySim's rule unless given.
 */
export function formatPaysimRow(
  tx: Transaction,
  isFraud: boolean,
  startTimeMs = DEFAULT_START_TIME_MS,
  isFlaggedFraud = isFlaggedByPaysimRule(tx),
): string {
  return (
    `${stepOf(tx.eventTime, startTimeMs)},${tx.type},${formatMinor(tx.amountMinor)},${name(tx.originAccountId)},` +
    `${balance(tx.originBalanceBeforeMinor)},${balance(tx.originBalanceAfterMinor)},${name(tx.destinationAccountId)},` +
    `${balance(tx.destinationBalanceBeforeMinor)},${balance(tx.destinationBalanceAfterMinor)},` +
    `${isFraud ? 1 : 0},${isFlaggedFraud ? 1 : 0}`
  );
}

// Lines are joined into ~1 MB chunks: one stream write per chunk, not per row, is what makes
// a million rows cheap.
const CHUNK_CHARS = 1 << 20;

/**
 * Writes labeled transactions as a PaySim CSV (header first) to `out`, respecting backpressure.
 * Account ids must not contain commas or quotes (PaySim's never do; nothing is quoted).
 * Resolves with the number of data rows once everything is handed to the stream; the caller ends it.
 */
export async function writePaysimCsv(
  out: Writable,
  rows: Iterable<LabeledTransaction> | AsyncIterable<LabeledTransaction>,
  options: PaysimCsvWriterOptions = {},
): Promise<number> {
  const start = options.startTimeMs ?? DEFAULT_START_TIME_MS;
  let chunk = `${PAYSIM_HEADER}\n`;
  let count = 0;
  const flush = async (): Promise<void> => {
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await once(out, 'drain');
  };
  // A sync source is drained without an await per row; awaits happen only at chunk boundaries.
  if (Symbol.iterator in rows) {
    for (const { tx, isFraud } of rows) {
      chunk += `${formatPaysimRow(tx, isFraud, start)}\n`;
      count += 1;
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
  } else {
    for await (const { tx, isFraud } of rows) {
      chunk += `${formatPaysimRow(tx, isFraud, start)}\n`;
      count += 1;
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
  }
  if (chunk.length > 0) await flush();
  return count;
}
