import { describe, expect, it } from 'vitest';
import { selectTopK } from './top-k.ts';

describe('selectTopK', () => {
  it('returns the k largest, largest first, ties by lower index', () => {
    const values = Float64Array.from([0.5, -2, 3, 0.5, 7, 3, -1]);
    const out = new Int32Array(3);
    expect(selectTopK(values, values.length, 3, out)).toBe(3);
    expect([...out]).toEqual([4, 2, 5]);
  });

  it('agrees with a full sort on random values, at an offset', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647) * 2 - 1;
    for (let trial = 0; trial < 50; trial++) {
      const values = Float64Array.from({ length: 32 }, () => Math.round(random() * 20) / 4);
      const out = new Int32Array(10).fill(-1);
      selectTopK(values, values.length, 5, out, 2);
      const sorted = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b);
      expect([...out.subarray(2, 7)]).toEqual(sorted.slice(0, 5));
      expect(out[0]).toBe(-1);
      expect(out[7]).toBe(-1);
    }
  });

  it('caps k at the number of values and writes nothing for k <= 0', () => {
    const out = new Int32Array(4).fill(-1);
    expect(selectTopK(Float64Array.from([1, 2]), 2, 4, out)).toBe(2);
    expect([...out]).toEqual([1, 0, -1, -1]);
    expect(selectTopK(Float64Array.from([1, 2]), 2, 0, out)).toBe(0);
  });
});
