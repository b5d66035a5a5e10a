import { describe, expect, it } from 'vitest';
import { chooseCostThresholds } from './cost-thresholds.ts';

describe('cost-based thresholds', () => {
  const scores = Float32Array.from([0.95, 0.9, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1]);
  const labels = Int8Array.from([1, 1, 0, 1, 0, 0, 1, 0]);
  const amounts = Float64Array.from([1_000_00, 500_00, 50_00, 200_00, 10_00, 10_00, 1_00, 10_00]);

  it('finds the cheapest (review, block) pair, equal to a brute-force search', () => {
    const cost = { reviewCostMinor: 5_00, wrongBlockCostMinor: 100_00 };
    const choice = chooseCostThresholds(scores, labels, amounts, cost);
    // Brute force over every pair of cuts (flag score >= t), review <= block.
    const cuts = [1.0001, ...scores];
    let best = Infinity;
    for (const r of cuts) {
      for (const b of cuts) {
        if (b < r) continue;
        let c = 0;
        scores.forEach((s, i) => {
          if (s >= b) c += labels[i] === 1 ? 0 : cost.wrongBlockCostMinor;
          else if (s >= r) c += cost.reviewCostMinor;
          else c += labels[i] === 1 ? amounts[i]! : 0;
        });
        best = Math.min(best, c);
      }
    }
    expect(choice.costMinor).toBe(best);
    // Blocking the two top frauds is free; reviewing down to the 200.00 fraud costs 2 reviews.
    expect(choice.thresholds).toEqual({ block: scores[1], review: scores[3] });
    expect(choice.allowAllCostMinor).toBe(1_701_00);
    expect(choice.curve.length).toBeGreaterThan(0);
  });

  it('blocks nothing when a wrong block costs more than any fraud, and reviews nothing when reviews cost more', () => {
    const noBlock = chooseCostThresholds(scores, labels, amounts, {
      reviewCostMinor: 1,
      wrongBlockCostMinor: 1e12,
    });
    expect(noBlock.thresholds.block).toBeGreaterThanOrEqual(scores[1]!);
    const noReview = chooseCostThresholds(scores, labels, amounts, {
      reviewCostMinor: 1e12,
      wrongBlockCostMinor: 1e12,
    });
    // Blocking the top two rows (both fraud) stays free; nothing is reviewed.
    expect(noReview.thresholds).toEqual({ review: scores[1], block: scores[1] });
    expect(noReview.costMinor).toBe(noReview.allowAllCostMinor - 1_500_00);
  });
});
