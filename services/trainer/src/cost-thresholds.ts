import type { Thresholds } from '@fraud/contracts';
import { TrainerError } from './errors.ts';

/**
 * A declared cost model, in minor units: a fraud that is allowed costs its amount; every REVIEW
 * costs an analyst's time whatever its outcome (and a reviewed fraud is stopped); a BLOCKed
 * legitimate transaction costs customer friction (support call, churn risk). A blocked fraud and
 * an allowed legitimate transaction cost nothing.
 */
export interface CostModel {
  reviewCostMinor: number;
  wrongBlockCostMinor: number;
}

export const DEFAULT_COST_MODEL: CostModel = { reviewCostMinor: 5_00, wrongBlockCostMinor: 25_00 };

export function checkCostModel(c: CostModel): CostModel {
  for (const [name, v] of Object.entries(c)) {
    if (!(Number.isFinite(v) && v >= 0)) throw new TrainerError(`cost model ${name} must be >= 0, got ${v}`);
  }
  return c;
}

/** Rows sorted by score, highest first, cut at distinct scores: the only places a threshold can sit. */
interface Ranked {
  /** Score of each cut (flag rows with score >= it); index 0 = flag nothing (+Infinity). */
  cutScores: number[];
  /** Fraud amount and legit count flagged at each cut. */
  fraudAmount: number[];
  legit: number[];
  flagged: number[];
  totalFraudAmount: number;
}

function rank(scores: Float32Array, labels: Int8Array, amountsMinor: Float64Array): Ranked {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const r: Ranked = {
    cutScores: [Infinity],
    fraudAmount: [0],
    legit: [0],
    flagged: [0],
    totalFraudAmount: 0,
  };
  let fa = 0;
  let lg = 0;
  for (let k = 0; k < order.length; k += 1) {
    const i = order[k]!;
    if (labels[i] === 1) fa += amountsMinor[i]!;
    else lg += 1;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      r.cutScores.push(scores[i]!);
      r.fraudAmount.push(fa);
      r.legit.push(lg);
      r.flagged.push(k + 1);
    }
  }
  r.totalFraudAmount = fa;
  return r;
}

function costAt(r: Ranked, c: CostModel, review: number, block: number): number {
  return (
    r.totalFraudAmount -
    r.fraudAmount[review]! +
    c.reviewCostMinor * (r.flagged[review]! - r.flagged[block]!) +
    c.wrongBlockCostMinor * r.legit[block]!
  );
}

/** Total cost of given thresholds on a split (rows with score >= block are blocked, >= review reviewed). */
export function expectedCost(
  scores: Float32Array,
  labels: Int8Array,
  amountsMinor: Float64Array,
  c: CostModel,
  t: Thresholds,
): number {
  let total = 0;
  for (let i = 0; i < scores.length; i += 1) {
    const s = scores[i]!;
    if (s >= t.block) total += labels[i] === 1 ? 0 : c.wrongBlockCostMinor;
    else if (s >= t.review) total += c.reviewCostMinor;
    else if (labels[i] === 1) total += amountsMinor[i]!;
  }
  return total;
}

export interface CostChoice {
  thresholds: Thresholds;
  /** Expected cost on the split at the chosen thresholds, and with no model at all (allow all). */
  costMinor: number;
  allowAllCostMinor: number;
  /** Cost as the review threshold moves (block fixed at its choice), then as block moves. */
  curve: { threshold: number; reviewCostMinor: number; blockCostMinor: number }[];
}

/**
 * The REVIEW and BLOCK thresholds that minimise the total cost on the (validation) split. The cost
 * separates into a part of the review cut and a part of the block cut, so with a running minimum
 * over block cuts (block >= review) one pass over the ranked rows finds the optimum.
 */
export function chooseCostThresholds(
  scores: Float32Array,
  labels: Int8Array,
  amountsMinor: Float64Array,
  cost: CostModel,
  curvePoints = 200,
): CostChoice {
  const r = rank(scores, labels, amountsMinor);
  const n = r.cutScores.length;
  let bestBlock = 0;
  let bestBlockPart = 0; // g(0) = 0: block nothing
  let best = { review: 0, block: 0, cost: costAt(r, cost, 0, 0) };
  for (let i = 0; i < n; i += 1) {
    const g = cost.wrongBlockCostMinor * r.legit[i]! - cost.reviewCostMinor * r.flagged[i]!;
    if (g < bestBlockPart) {
      bestBlockPart = g;
      bestBlock = i;
    }
    const total = costAt(r, cost, i, bestBlock);
    if (total < best.cost) best = { review: i, block: bestBlock, cost: total };
  }
  // Cut 0 means "flag nothing": threshold 1 blocks only certainty (a score of exactly 1).
  const at = (k: number): number => (k === 0 ? 1 : r.cutScores[k]!);
  const step = Math.max(1, Math.floor(n / curvePoints));
  const curve: CostChoice['curve'] = [];
  for (let k = 0; k < n; k += step) {
    curve.push({
      threshold: at(k),
      reviewCostMinor: costAt(r, cost, Math.max(k, best.block), best.block),
      blockCostMinor: costAt(r, cost, Math.max(best.review, k), k),
    });
  }
  return {
    thresholds: { review: at(best.review), block: at(best.block) },
    costMinor: best.cost,
    allowAllCostMinor: r.totalFraudAmount,
    curve,
  };
}
