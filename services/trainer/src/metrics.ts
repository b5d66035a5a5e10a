import type { Thresholds } from '@fraud/contracts';
import type { SplitMetrics, ThresholdMetrics } from '@fraud/model';

/** The precision-recall curve at every distinct score, highest threshold first. */
export interface PrCurve {
  thresholds: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
  /** Cumulative true and false positives at each threshold (score >= threshold flagged). */
  tp: Float64Array;
  fp: Float64Array;
  positives: number;
  negatives: number;
}

/** Labels 1 / 0 only; callers drop unknown (-1) rows before evaluating. */
export function prCurve(scores: Float32Array, labels: Int8Array): PrCurve {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k += 1) {
    const i = order[k]!;
    if (labels[i] === 1) tp += 1;
    else fp += 1;
    const next = order[k + 1];
    // One point per distinct score: tied rows are flagged together or not at all.
    if (next === undefined || scores[next] !== scores[i]) {
      thresholds.push(scores[i]!);
      tps.push(tp);
      fps.push(fp);
    }
  }
  const positives = tp;
  const negatives = fp;
  const tpA = Float64Array.from(tps);
  const fpA = Float64Array.from(fps);
  return {
    thresholds: Float64Array.from(thresholds),
    tp: tpA,
    fp: fpA,
    precision: tpA.map((t, i) => t / (t + fpA[i]!)),
    recall: tpA.map((t) => (positives > 0 ? t / positives : 0)),
    positives,
    negatives,
  };
}

/** Average precision (sum over thresholds of recall gain x precision), as scikit-learn computes PR-AUC. */
export function averagePrecision(curve: PrCurve): number {
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < curve.thresholds.length; k += 1) {
    ap += (curve.recall[k]! - prevRecall) * curve.precision[k]!;
    prevRecall = curve.recall[k]!;
  }
  return ap;
}

/** ROC-AUC by the trapezoid rule over distinct thresholds (ties count half). */
export function rocAuc(curve: PrCurve): number {
  if (curve.positives === 0 || curve.negatives === 0) return Number.NaN;
  let auc = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  for (let k = 0; k < curve.thresholds.length; k += 1) {
    const tpr = curve.tp[k]! / curve.positives;
    const fpr = curve.fp[k]! / curve.negatives;
    auc += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return auc;
}

export function atThreshold(scores: Float32Array, labels: Int8Array, threshold: number): ThresholdMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i += 1) {
    const flagged = scores[i]! >= threshold;
    if (labels[i] === 1) {
      if (flagged) tp += 1;
      else fn += 1;
    } else if (flagged) fp += 1;
    else tn += 1;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    threshold,
    precision,
    recall,
    f1,
    alert_rate: scores.length > 0 ? (tp + fp) / scores.length : 0,
    confusion: { tp, fp, tn, fn },
  };
}

/** Everything the manifest and report say about one split. */
export function evaluate(scores: Float32Array, labels: Int8Array, thresholds: Thresholds): SplitMetrics {
  const curve = prCurve(scores, labels);
  const review = atThreshold(scores, labels, thresholds.review);
  return {
    rows: scores.length,
    positives: curve.positives,
    pr_auc: averagePrecision(curve),
    roc_auc: rocAuc(curve),
    review,
    block: atThreshold(scores, labels, thresholds.block),
    alert_rate: review.alert_rate,
  };
}
