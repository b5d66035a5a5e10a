import type { Decision, Thresholds } from '@fraud/contracts';

/**
 * Maps a fraud probability to a decision. Thresholds are inclusive (score >= block blocks).
 * A NaN score means the model could not score the row; it goes to REVIEW rather than being
 * silently allowed.
 */
export function decide(score: number, thresholds: Thresholds): Decision {
  if (score >= thresholds.block) return 'BLOCK';
  if (score >= thresholds.review || Number.isNaN(score)) return 'REVIEW';
  return 'ALLOW';
}
