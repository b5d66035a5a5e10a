import type { Thresholds } from '@fraud/contracts';
import type { PrCurve } from './metrics.ts';

export interface ThresholdPolicy {
  /** BLOCK only where validation precision reaches this. @default 0.9 */
  blockPrecisionTarget: number;
  /** REVIEW (or BLOCK) catches at least this share of validation fraud. @default 0.95 */
  reviewRecallTarget: number;
}

export const DEFAULT_THRESHOLD_POLICY: ThresholdPolicy = {
  blockPrecisionTarget: 0.9,
  reviewRecallTarget: 0.95,
};

export interface ChosenThresholds {
  thresholds: Thresholds;
  /** Why a target could not be met exactly; goes to the manifest and report. */
  notes: string[];
}

/**
 * Reads both thresholds off the validation PR curve (never the test split, which must stay
 * unseen). BLOCK: the lowest score whose precision meets the target, i.e. the most recall at
 * that precision. REVIEW: the highest score whose recall meets the target, i.e. the fewest alerts
 * for that recall. Thresholds are actual scores, used with `>=`.
 */
export function chooseThresholds(
  curve: PrCurve,
  policy: ThresholdPolicy = DEFAULT_THRESHOLD_POLICY,
): ChosenThresholds {
  const notes: string[] = [];
  let block = Number.NaN;
  let bestRecall = -1;
  for (let k = 0; k < curve.thresholds.length; k += 1) {
    if (curve.precision[k]! >= policy.blockPrecisionTarget && curve.recall[k]! > bestRecall) {
      bestRecall = curve.recall[k]!;
      block = curve.thresholds[k]!;
    }
  }
  if (Number.isNaN(block)) {
    block = 1;
    notes.push(
      `no validation threshold reaches precision ${policy.blockPrecisionTarget}; block = 1 (BLOCK only at certainty)`,
    );
  }
  let review = Number.NaN;
  for (let k = 0; k < curve.thresholds.length; k += 1) {
    if (curve.recall[k]! >= policy.reviewRecallTarget) {
      review = curve.thresholds[k]!;
      break;
    }
  }
  if (Number.isNaN(review)) {
    review = curve.thresholds[curve.thresholds.length - 1] ?? 0;
    notes.push(`recall ${policy.reviewRecallTarget} is unreachable; review = the lowest validation score`);
  }
  if (review > block) {
    notes.push(`the recall target is met above the block threshold; review = block = ${block}`);
    review = block;
  }
  return { thresholds: { review, block }, notes };
}
