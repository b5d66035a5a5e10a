import { describe, expect, it } from 'vitest';
import { atThreshold, averagePrecision, evaluate, prCurve, rocAuc } from './metrics.ts';

const s = (...v: number[]) => Float32Array.from(v);
const l = (...v: number[]) => Int8Array.from(v);

describe('metrics', () => {
  it('matches scikit-learn average_precision_score and roc_auc_score', () => {
    // sklearn: average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.8333..., roc_auc = 0.75
    const curve = prCurve(s(0.1, 0.4, 0.35, 0.8), l(0, 0, 1, 1));
    expect(averagePrecision(curve)).toBeCloseTo(0.8333333, 6);
    expect(rocAuc(curve)).toBeCloseTo(0.75, 6);
  });

  it('treats tied scores as one threshold (ROC ties count half)', () => {
    const curve = prCurve(s(0.5, 0.5, 0.5, 0.5), l(1, 0, 1, 0));
    expect(curve.thresholds.length).toBe(1);
    expect(rocAuc(curve)).toBeCloseTo(0.5, 9);
    expect(averagePrecision(curve)).toBeCloseTo(0.5, 9);
  });

  it('computes the confusion matrix at an inclusive threshold', () => {
    const m = atThreshold(s(0.9, 0.8, 0.3, 0.1), l(1, 0, 1, 0), 0.8);
    expect(m.confusion).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.alert_rate).toBe(0.5);
    const e = evaluate(s(0.9, 0.8, 0.3, 0.1), l(1, 0, 1, 0), { review: 0.2, block: 0.85 });
    expect(e.review.confusion.tp).toBe(2);
    expect(e.block.confusion).toEqual({ tp: 1, fp: 0, tn: 2, fn: 1 });
    expect(e.alert_rate).toBe(0.75);
  });
});
