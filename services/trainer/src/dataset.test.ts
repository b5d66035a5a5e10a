import { describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { DatasetBuilder } from './dataset.ts';

describe('DatasetBuilder', () => {
  it('grows its preallocated columns and keeps row order', () => {
    const b = new DatasetBuilder(2, 1);
    for (let k = 0; k < 5; k += 1) {
      const n = 700;
      const data = new Float32Array(n * 2).map((_, i) => k * 10_000 + i);
      b.append({
        features: { data, rows: n, cols: 2 },
        txs: Array.from({ length: n }, (_, i) => ({ eventTime: k * n + i }) as Transaction),
        labels: new Int8Array(n).fill(k % 2),
        rows: Int32Array.from({ length: n }, (_, i) => k * n + i),
      });
    }
    const d = b.finish();
    expect(d.features.rows).toBe(3500);
    expect(d.features.data[2 * 700]).toBe(10_000);
    expect(d.eventTimes[3499]).toBe(3499);
    expect(d.sourceRows[1234]).toBe(1234);
    expect(d.labels[700]).toBe(1);
  });
});
