import { describe, expect, it } from 'vitest';
import { TrainingDataError } from './errors.ts';
import { describeSplit, requireBothClasses, timeSplit } from './split.ts';

describe('timeSplit', () => {
  it('splits by position and never cuts a group of equal event times', () => {
    const t = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 7, 7, 8, 9, 10]);
    const split = timeSplit(t, { train: 0.6, validation: 0.2 });
    expect(split.train).toEqual([0, 9]); // 7.2 -> 7, moved past the ties at 7
    const [vs, ve] = split.validation;
    const [ts] = split.test;
    expect(t[split.train[1] - 1]!).toBeLessThan(t[vs]!);
    expect(t[ve - 1]!).toBeLessThan(t[ts]!);
    expect(split.test[1]).toBe(t.length);
  });

  it('fails clearly when a split would be empty or lacks fraud', () => {
    expect(() => timeSplit(Float64Array.from([1, 1, 1]))).toThrow(TrainingDataError);
    const info = describeSplit([0, 3], Int8Array.from([0, 0, 0]), Float64Array.from([1, 2, 3]));
    expect(() => requireBothClasses('validation', info)).toThrow(
      /validation split \(3 rows\) has no fraud rows/,
    );
  });
});
