import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { formatTransactionJsonl, writePaysimCsv, type LabeledTransaction } from '@fraud/paysim';
import { simulate, type SimulationOptions } from './simulate.ts';

export interface FileModeOptions {
  simulation: SimulationOptions;
  /** `.jsonl` writes JSON lines of full Transactions (exact event times); anything else PaySim CSV. */
  out: string;
  onProgress?: (done: number, fraud: number) => void;
}

export interface RunSummary {
  rows: number;
  fraud: number;
  seconds: number;
}

const PROGRESS_EVERY = 10_000;

/** Counts rows and fraud as they stream past, reporting every PROGRESS_EVERY rows. */
function* counted(
  rows: Iterable<LabeledTransaction>,
  totals: { rows: number; fraud: number },
  onProgress?: (done: number, fraud: number) => void,
): Generator<LabeledTransaction> {
  for (const row of rows) {
    totals.rows += 1;
    if (row.isFraud) totals.fraud += 1;
    if (onProgress && totals.rows % PROGRESS_EVERY === 0) onProgress(totals.rows, totals.fraud);
    yield row;
  }
  onProgress?.(totals.rows, totals.fraud);
}

async function writeJsonl(out: NodeJS.WritableStream, rows: Iterable<LabeledTransaction>): Promise<void> {
  let chunk = '';
  for (const row of rows) {
    chunk += `${formatTransactionJsonl(row)}\n`;
    if (chunk.length >= 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.write(chunk);
}

/** `simulate --out FILE`: generates the transactions and writes them to a file. */
export async function runFileMode(options: FileModeOptions): Promise<RunSummary> {
  const started = performance.now();
  const totals = { rows: 0, fraud: 0 };
  const rows = counted(simulate(options.simulation), totals, options.onProgress);
  const out = createWriteStream(options.out, { highWaterMark: 1 << 20 });
  const done = finished(out);
  done.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  try {
    if (options.out.endsWith('.jsonl')) await writeJsonl(out, rows);
    else await writePaysimCsv(out, rows, { startTimeMs: options.simulation.startTimeMs });
  } finally {
    out.end();
  }
  await done;
  return { ...totals, seconds: (performance.now() - started) / 1000 };
}
