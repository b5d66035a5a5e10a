import type { Transaction } from '@fraud/contracts';
import type { PaysimRowError } from '@fraud/paysim';
import { MemoryFeatureStore, type FeatureMatrix } from './feature-set.ts';
import type { InputSource, SourceRow } from './input.ts';

/** Label of a replayed row: 1 fraud, 0 legitimate, -1 unknown (unlabeled JSON line). */
export type Label = 1 | 0 | -1;

/** One batch of replayed rows, in event-time order, with the features the scorer would have seen. */
export interface ReplayBatch {
  features: FeatureMatrix;
  txs: readonly Transaction[];
  labels: Int8Array;
  /** Source data-row index of each batch row. */
  rows: Int32Array;
}

export interface ReplayOptions {
  /** Rows per feature-store call (the scorer's batch size is of this order). @default 4096 */
  batchSize?: number;
  onBytes?: (bytesRead: number) => void;
  onSkip?: (error: PaysimRowError) => void;
  /**
   * Called when the file turns out not to be in event-time order: everything consumed so far is
   * void, and the rows come again, sorted. Consumers reset their state here.
   */
  onRestartSorted?: () => void;
}

export interface ReplayStats {
  rows: number;
  skipped: number;
  /** True when the input was not in event-time order and was sorted in memory first. */
  sortedInMemory: boolean;
}

class OutOfOrder extends Error {}

const DEFAULT_BATCH_SIZE = 4096;

async function replayRows(
  rows: AsyncIterable<SourceRow> | Iterable<SourceRow>,
  consume: (batch: ReplayBatch) => Promise<void> | void,
  batchSize: number,
  checkOrder: boolean,
): Promise<number> {
  // A fresh store per pass: features are point in time only if the store saw nothing else first.
  const store = new MemoryFeatureStore();
  let txs: Transaction[] = [];
  let labels = new Int8Array(batchSize);
  let sourceRows = new Int32Array(batchSize);
  let lastEventTime = -Infinity;
  let count = 0;
  const flush = async (): Promise<void> => {
    if (txs.length === 0) return;
    const features = await store.applyBatch(txs);
    await consume({
      features,
      txs,
      labels: labels.subarray(0, txs.length),
      rows: sourceRows.subarray(0, txs.length),
    });
    txs = [];
    labels = new Int8Array(batchSize);
    sourceRows = new Int32Array(batchSize);
  };
  for await (const r of rows) {
    if (checkOrder && r.tx.eventTime < lastEventTime) throw new OutOfOrder();
    lastEventTime = r.tx.eventTime;
    labels[txs.length] = r.isFraud === undefined ? -1 : r.isFraud ? 1 : 0;
    sourceRows[txs.length] = r.row;
    txs.push(r.tx);
    count += 1;
    if (txs.length === batchSize) await flush();
  }
  await flush();
  return count;
}

/**
 * Replays the input in event-time order through a fresh in-memory feature store, so every row
 * gets the features the online scorer would have computed at that moment (the same feature code).
 * Sorted input (PaySim, the simulator) streams in constant memory; unsorted input (e.g. a Kafka
 * dump) is detected on the way, then read into memory and stably sorted by event time.
 */
export async function replay(
  input: InputSource,
  consume: (batch: ReplayBatch) => Promise<void> | void,
  options: ReplayOptions = {},
): Promise<ReplayStats> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let skipped = 0;
  const onSkip = (error: PaysimRowError): void => {
    skipped += 1;
    options.onSkip?.(error);
  };
  const open = () => input.open({ onSkip, ...(options.onBytes ? { onBytes: options.onBytes } : {}) });
  try {
    const rows = await replayRows(open(), consume, batchSize, true);
    return { rows, skipped, sortedInMemory: false };
  } catch (error) {
    if (!(error instanceof OutOfOrder)) throw error;
  }
  options.onRestartSorted?.();
  skipped = 0;
  const all: SourceRow[] = [];
  for await (const r of open()) all.push(r);
  // Array.prototype.sort is stable: equal event times keep file order.
  all.sort((a, b) => a.tx.eventTime - b.tx.eventTime);
  const rows = await replayRows(all, consume, batchSize, false);
  return { rows, skipped, sortedInMemory: true };
}
