import { describe, expect, it } from 'vitest';
import { prCurve } from './metrics.ts';
import { chooseThresholds } from './thresholds.ts';

describe('chooseThresholds', () => {
  // scores high -> low; labels: 1 1 0 1 0 1 0 0
  const scores = Float32Array.from([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]);
  const labels = Int8Array.from([1, 1, 0, 1, 0, 1, 0, 0]);
  const curve = prCurve(scores, labels);

  it('puts BLOCK at the most recall that meets the precision target, REVIEW at the fewest alerts for the recall target', () => {
    const { thresholds, notes } = chooseThresholds(curve, {
      blockPrecisionTarget: 0.75,
      reviewRecallTarget: 1,
    });
    expect(thresholds.block).toBeCloseTo(0.7, 6); // precision 3/4 at 0.7, recall 0.75
    expect(thresholds.review).toBeCloseTo(0.5, 6); // first threshold catching all 4
    expect(notes).toEqual([]);
  });

  it('notes unreachable targets and keeps review <= block', () => {
    const hard = chooseThresholds(prCurve(Float32Array.from([0.9, 0.8]), Int8Array.from([0, 1])), {
      blockPrecisionTarget: 1,
      reviewRecallTarget: 0.5,
    });
    expect(hard.thresholds.block).toBe(1); // precision 1 is never reached
    expect(hard.thresholds.review).toBeLessThanOrEqual(hard.thresholds.block);
    const none = chooseThresholds(prCurve(Float32Array.from([0.9, 0.8]), Int8Array.from([0, 0])), {
      blockPrecisionTarget: 0.9,
      reviewRecallTarget: 0.5,
    });
    expect(none.thresholds.block).toBe(1);
    expect(none.notes.join(' ')).toMatch(/precision 0.9/);
    expect(none.thresholds.review).toBeLessThanOrEqual(none.thresholds.block);
  });
});
