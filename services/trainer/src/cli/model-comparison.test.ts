import { describe, expect, it } from 'vitest';
import { compareModels, formatComparison, type ComparedDecision } from './model-comparison.ts';

const thresholds = { review: 0.1, block: 0.8 };

function decision(id: string, score: number, challengerScore: number | null): ComparedDecision {
  return {
    transactionId: id,
    score,
    thresholds,
    modelVersion: 'champ',
    challengerModelVersion: challengerScore === null ? null : 'chal',
    challengerScore,
  };
}

describe('compareModels', () => {
  it('scores each model at its own thresholds on labelled decisions only', () => {
    const decisions = [
      decision('a', 0.5, 0.2), // fraud: champion flags; challenger (review 0.3) does not
      decision('b', 0.05, 0.4), // fraud: champion misses; challenger flags
      decision('c', 0.2, 0.1), // legit: champion flags (fp); challenger passes
      decision('d', 0.9, 0.9), // fraud: both flag and block
      decision('e', 0.9, 0.9), // unlabelled: ignored
    ];
    const labels = new Map([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', true],
    ]);
    const report = compareModels(decisions, labels, (v) =>
      v === 'chal' ? { review: 0.3, block: 0.85 } : undefined,
    );
    expect(report.pairs).toHaveLength(1);
    const pair = report.pairs[0]!;
    expect(pair).toMatchObject({
      champion: 'champ',
      challenger: 'chal',
      decisions: 5,
      labelled: 4,
      frauds: 3,
    });
    const [review, block] = pair.champions.levels!;
    expect(review).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 0, precision: 2 / 3, recall: 2 / 3 });
    expect(block).toMatchObject({ tp: 1, fp: 0, fn: 2, precision: 1, recall: 1 / 3 });
    const [chReview] = pair.challengers!.levels!;
    expect(chReview).toMatchObject({ threshold: 0.3, tp: 2, fp: 0, fn: 1, precision: 1, recall: 2 / 3 });
    expect(pair.reviewAgreement).toBe(1 / 4); // only d: a, b and c disagree
    expect(formatComparison(report)).toContain('challenger chal');
  });

  it('reports unknown challenger thresholds instead of guessing', () => {
    const report = compareModels([decision('a', 0.5, 0.2)], new Map([['a', true]]), () => undefined);
    expect(report.pairs[0]!.challengers!.levels).toBeUndefined();
    expect(formatComparison(report)).toContain('thresholds unknown');
  });
});
