import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE_POLICY, evaluateGate } from './gate.ts';
import { modelQuality } from './model-quality.ts';

describe('modelQuality', () => {
  it('computes average precision, recall at the precision target and the alert rate', () => {
    // Scores high to low: F F L F L L -> precision 1, 1, 2/3, 3/4, ...
    const scores = [0.9, 0.8, 0.7, 0.6, 0.2, 0.1];
    const labels = [1, 1, 0, 1, 0, 0];
    const q = modelQuality('m', scores, labels, 0.75, 0.5);
    expect(q.frauds).toBe(3);
    expect(q.pr_auc).toBeCloseTo((1 / 3) * 1 + (1 / 3) * 1 + (1 / 3) * 0.75, 10);
    expect(q.recall_at_block_precision).toBe(1); // precision 3/4 at recall 1
    expect(q.alert_rate).toBeCloseTo(4 / 6, 10);
  });

  it('flags tied scores together', () => {
    const q = modelQuality('m', [0.5, 0.5], [1, 0], 0.9, 0.5);
    expect(q.pr_auc).toBeCloseTo(0.5, 10);
    expect(q.recall_at_block_precision).toBe(0);
  });
});

describe('evaluateGate', () => {
  const base = { version: 'x', rows: 1000, frauds: 40, block_precision: 0.9, review_threshold: 0.1 };
  const champion = {
    ...base,
    version: 'champ',
    pr_auc: 0.6,
    recall_at_block_precision: 0.3,
    alert_rate: 0.02,
  };

  it('passes a challenger better by the margin on enough frauds within the alert bounds', () => {
    const challenger = {
      ...base,
      version: 'chal',
      pr_auc: 0.65,
      recall_at_block_precision: 0.4,
      alert_rate: 0.03,
    };
    const r = evaluateGate(champion, challenger, DEFAULT_GATE_POLICY);
    expect(r.passed).toBe(true);
    expect(r.checks.every((c) => c.passed)).toBe(true);
  });

  it('reports every failing check', () => {
    const challenger = { ...base, frauds: 5, pr_auc: 0.605, recall_at_block_precision: 0.2, alert_rate: 0.5 };
    const r = evaluateGate(champion, challenger, DEFAULT_GATE_POLICY);
    expect(r.passed).toBe(false);
    expect(r.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual([
      'labelled_frauds',
      'pr_auc',
      'recall_at_block_precision',
      'alert_rate',
    ]);
  });
});
