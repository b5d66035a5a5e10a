/**
 * Threshold-free model quality on labelled rows, as the gate compares champion and challenger.
 * PR-AUC is average precision (scikit-learn's definition, the trainer's manifest metric):
 * sum over distinct scores, highest first, of recall gain x precision.
 */
export interface ModelQuality {
  version: string;
  rows: number;
  frauds: number;
  pr_auc: number;
  /** The highest recall at which precision still reaches `block_precision` (0 when never). */
  recall_at_block_precision: number;
  block_precision: number;
  /** Share of rows at or above the model's own REVIEW threshold (its alert rate). */
  alert_rate: number;
  review_threshold: number;
}

export function modelQuality(
  version: string,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  blockPrecision: number,
  reviewThreshold: number,
): ModelQuality {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  let alerts = 0;
  for (let i = 0; i < n; i += 1) {
    if (labels[i] === 1) positives += 1;
    // Same rule as decide(): inclusive threshold, a NaN score is flagged.
    if (!(scores[i]! < reviewThreshold)) alerts += 1;
  }
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  let bestRecall = 0;
  for (let k = 0; k < n; k += 1) {
    const i = order[k]!;
    if (labels[i] === 1) tp += 1;
    else fp += 1;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue; // ties flag together
    const precision = tp / (tp + fp);
    const recall = positives > 0 ? tp / positives : 0;
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
    if (precision >= blockPrecision && recall > bestRecall) bestRecall = recall;
  }
  return {
    version,
    rows: n,
    frauds: positives,
    pr_auc: ap,
    recall_at_block_precision: bestRecall,
    block_precision: blockPrecision,
    alert_rate: n > 0 ? alerts / n : 0,
    review_threshold: reviewThreshold,
  };
}
