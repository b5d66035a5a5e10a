import type { FeatureMatrix } from './feature-set.ts';
import type { ReplayBatch } from './replay.ts';

/** The replayed training data: columnar typed arrays, never JS objects per row. */
export interface Dataset {
  features: FeatureMatrix;
  /** 1 fraud, 0 legitimate, -1 unknown. */
  labels: Int8Array;
  eventTimes: Float64Array;
  /** Source data-row index of each dataset row. */
  sourceRows: Int32Array;
  /** Amount of each row in minor units: what a missed fraud costs (cost-based thresholds). */
  amountsMinor: Float64Array;
}

/**
 * Accumulates replay batches into one preallocated float32 matrix, growing by doubling. At 6.4M
 * PaySim rows x 32 features that is ~820 MB of float32; objects per row would be several GB.
 */
export class DatasetBuilder {
  private data: Float32Array;
  private labels: Int8Array;
  private eventTimes: Float64Array;
  private sourceRows: Int32Array;
  private amountsMinor: Float64Array;
  private rows = 0;

  constructor(
    readonly cols: number,
    /** Rows to allocate up front (an estimate from the file size avoids most regrowth). */
    initialRows = 1 << 16,
  ) {
    const capacity = Math.max(1024, Math.ceil(initialRows));
    this.data = new Float32Array(capacity * cols);
    this.labels = new Int8Array(capacity);
    this.eventTimes = new Float64Array(capacity);
    this.sourceRows = new Int32Array(capacity);
    this.amountsMinor = new Float64Array(capacity);
  }

  get length(): number {
    return this.rows;
  }

  reset(): void {
    this.rows = 0;
  }

  append(batch: ReplayBatch): void {
    const n = batch.features.rows;
    if (batch.features.cols !== this.cols) {
      throw new Error(`feature batch has ${batch.features.cols} columns, expected ${this.cols}`);
    }
    this.ensure(this.rows + n);
    this.data.set(batch.features.data.subarray(0, n * this.cols), this.rows * this.cols);
    this.labels.set(batch.labels, this.rows);
    this.sourceRows.set(batch.rows, this.rows);
    for (let i = 0; i < n; i += 1) {
      this.eventTimes[this.rows + i] = batch.txs[i]!.eventTime;
      this.amountsMinor[this.rows + i] = batch.txs[i]!.amountMinor;
    }
    this.rows += n;
  }

  /** Views (no copy) of the filled part. */
  finish(): Dataset {
    const n = this.rows;
    return {
      features: { data: this.data.subarray(0, n * this.cols), rows: n, cols: this.cols },
      labels: this.labels.subarray(0, n),
      eventTimes: this.eventTimes.subarray(0, n),
      sourceRows: this.sourceRows.subarray(0, n),
      amountsMinor: this.amountsMinor.subarray(0, n),
    };
  }

  private ensure(rows: number): void {
    const capacity = this.labels.length;
    if (rows <= capacity) return;
    const next = Math.max(rows, capacity * 2);
    const grow = <T extends Float32Array | Int8Array | Float64Array | Int32Array>(
      old: T,
      size: number,
    ): T => {
      const fresh = new (old.constructor as new (n: number) => T)(size);
      fresh.set(old);
      return fresh;
    };
    this.data = grow(this.data, next * this.cols);
    this.labels = grow(this.labels, next);
    this.eventTimes = grow(this.eventTimes, next);
    this.sourceRows = grow(this.sourceRows, next);
    this.amountsMinor = grow(this.amountsMinor, next);
  }
}

/** Rows [start, end) of a dataset's matrix as a view. */
export function sliceMatrix(m: FeatureMatrix, start: number, end: number): FeatureMatrix {
  return { data: m.data.subarray(start * m.cols, end * m.cols), rows: end - start, cols: m.cols };
}
