import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Transaction } from '@fraud/contracts';
import { readPaysimCsv, readTransactionsJsonl, type PaysimRowError } from '@fraud/paysim';
import { TrainingDataError } from './errors.ts';

export type InputFormat = 'paysim-csv' | 'jsonl';

/** One input event with its label (undefined when a JSON line carries none). */
export interface SourceRow {
  tx: Transaction;
  isFraud: boolean | undefined;
  /** 0-based data-row index in the file (CSV: data rows after the header; JSONL: line - 1). */
  row: number;
}

export interface InputOptions {
  /** Skip and count unusable rows instead of failing on the first. @default false */
  skipInvalidRows?: boolean;
  /**
   * Blank the four balance fields of every row (as a stream without balances would deliver it):
   * the balance features are then missing everywhere and no tree can split on them.
   * @default false
   */
  withoutBalances?: boolean;
  /**
   * The optional fields the target stream provides: every other optional field is blanked, as
   * that stream would deliver the row (e.g. [] for PaySim-like data with nothing optional).
   * @default all optional fields
   */
  streamFields?: readonly string[];
}

const OPTIONAL_FIELDS = [
  'originBalanceBeforeMinor',
  'originBalanceAfterMinor',
  'destinationBalanceBeforeMinor',
  'destinationBalanceAfterMinor',
  'channel',
  'deviceId',
  'countryCode',
  'merchantCategory',
] as const;
const BALANCES: ReadonlySet<string> = new Set(OPTIONAL_FIELDS.slice(0, 4));

/** A row mapper that nulls the optional fields the model must not read (identity when none). */
export function blankerOf(options: InputOptions): (tx: Transaction) => Transaction {
  const keep = new Set<string>(options.streamFields ?? OPTIONAL_FIELDS);
  for (const f of keep) {
    if (!(OPTIONAL_FIELDS as readonly string[]).includes(f)) {
      throw new TrainingDataError(`stream field "${f}" is not one of ${OPTIONAL_FIELDS.join(', ')}`);
    }
  }
  const blank = OPTIONAL_FIELDS.filter((f) => !keep.has(f) || (options.withoutBalances && BALANCES.has(f)));
  if (blank.length === 0) return (tx) => tx;
  return (tx) => {
    const out: Transaction = { ...tx };
    for (const f of blank) out[f] = null;
    return out;
  };
}

/** True when the transaction carries at least one balance. */
export function hasBalances(tx: Transaction): boolean {
  return (
    tx.originBalanceBeforeMinor !== null ||
    tx.originBalanceAfterMinor !== null ||
    tx.destinationBalanceBeforeMinor !== null ||
    tx.destinationBalanceAfterMinor !== null
  );
}

export interface OpenOptions {
  /** Sees the running byte count, for progress displays. */
  onBytes?: (bytesRead: number) => void;
  /** Called per skipped row (only when the input skips invalid rows). */
  onSkip?: (error: PaysimRowError) => void;
}

/** A re-openable input: the pipeline reads a file more than once (hash, replay, maybe a sort). */
export interface InputSource {
  path: string;
  format: InputFormat;
  sizeBytes: number;
  open(options?: OpenOptions): AsyncGenerator<SourceRow>;
}

export function detectFormat(path: string): InputFormat {
  if (/\.(jsonl|ndjson)(\.txt)?$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'paysim-csv';
  throw new TrainingDataError(
    `${path}: unknown input format; expected a PaySim .csv or a .jsonl/.ndjson file`,
  );
}

export async function openInput(path: string, options: InputOptions = {}): Promise<InputSource> {
  const format = detectFormat(path);
  let sizeBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new TrainingDataError(`${path}: not a file`);
    sizeBytes = info.size;
  } catch (error) {
    if (error instanceof TrainingDataError) throw error;
    throw new TrainingDataError(
      `${path}: cannot read the input file (${(error as NodeJS.ErrnoException).code})`,
      {
        cause: error,
      },
    );
  }
  return {
    path,
    format,
    sizeBytes,
    async *open({ onBytes, onSkip } = {}) {
      const invalid = options.skipInvalidRows ? { onInvalidRow: onSkip ?? (() => undefined) } : {};
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      if (onBytes) stream.on('data', () => onBytes(stream.bytesRead));
      const map = blankerOf(options);
      if (format === 'paysim-csv') {
        for await (const r of readPaysimCsv(stream, invalid))
          yield { tx: map(r.tx), isFraud: r.isFraud, row: r.row };
      } else {
        for await (const r of readTransactionsJsonl(stream, invalid))
          yield { tx: map(r.tx), isFraud: r.isFraud, row: r.line - 1 };
      }
    },
  };
}
