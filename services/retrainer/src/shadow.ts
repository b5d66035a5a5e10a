import type { LabelBook } from '@fraud/datasets';
import { resolveLabel } from '@fraud/datasets';
import type { DecisionCollector } from './dataset-join.ts';

/** Champion and challenger scores of the same labelled shadow traffic. */
export interface ShadowSample {
  championScores: Float64Array;
  challengerScores: Float64Array;
  labels: Int8Array;
  /** Shadowed decisions whose outcome is not known yet (unlabelled, younger than the maturity window). */
  immature: number;
  /** Decisions the pair scored together (labelled or not). */
  shadowed: number;
}

/**
 * The decisions the champion made while the challenger shadowed it, each with its label at
 * `asOfMs` (last verdict, or legitimate once matured). Both scores come from the same feature
 * vector in the same chunk, so the comparison is paired.
 */
export function shadowSample(
  decisions: DecisionCollector,
  labels: LabelBook,
  pair: { champion: string; challenger: string },
  asOfMs: number,
  maturityMs: number,
): ShadowSample {
  const champion: number[] = [];
  const challenger: number[] = [];
  const y: number[] = [];
  let immature = 0;
  let shadowed = 0;
  for (const d of decisions.inWindow.values()) {
    if (d.modelVersion !== pair.champion || d.challengerModelVersion !== pair.challenger) continue;
    if (d.challengerScore === null) continue;
    shadowed += 1;
    const resolved = resolveLabel(labels, d.transactionId, d.eventTimeMs, asOfMs, maturityMs);
    if (resolved.kind === 'immature') {
      immature += 1;
      continue;
    }
    champion.push(d.score);
    challenger.push(d.challengerScore);
    y.push(resolved.label);
  }
  return {
    championScores: Float64Array.from(champion),
    challengerScores: Float64Array.from(challenger),
    labels: Int8Array.from(y),
    immature,
    shadowed,
  };
}
