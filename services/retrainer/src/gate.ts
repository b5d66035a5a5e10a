import type { ModelQuality } from './model-quality.ts';

/** When a challenger may replace the champion. */
export interface GatePolicy {
  /** Challenger PR-AUC must be at least champion PR-AUC + this. @default 0.01 */
  prAucMargin: number;
  /** Challenger recall at the BLOCK precision must be at least the champion's + this. @default 0 */
  recallMargin: number;
  /** Labelled frauds the comparison must rest on. @default 20 */
  minFrauds: number;
  /** The challenger's alert rate (at its REVIEW threshold) must stay inside [min, max]. */
  minAlertRate: number;
  /** @default 0.05 */
  maxAlertRate: number;
}

export const DEFAULT_GATE_POLICY: GatePolicy = Object.freeze({
  prAucMargin: 0.01,
  recallMargin: 0,
  minFrauds: 20,
  minAlertRate: 0,
  maxAlertRate: 0.05,
});

export interface GateCheck {
  name: 'labelled_frauds' | 'pr_auc' | 'recall_at_block_precision' | 'alert_rate';
  passed: boolean;
  detail: string;
}

export interface GateResult {
  passed: boolean;
  champion: ModelQuality;
  challenger: ModelQuality;
  checks: GateCheck[];
  policy: GatePolicy;
}

const f = (x: number): string => x.toFixed(4);

/** Every check is evaluated (and reported) even when an earlier one fails. */
export function evaluateGate(
  champion: ModelQuality,
  challenger: ModelQuality,
  policy: GatePolicy,
): GateResult {
  const checks: GateCheck[] = [
    {
      name: 'labelled_frauds',
      passed: challenger.frauds >= policy.minFrauds,
      detail: `${challenger.frauds} labelled frauds in ${challenger.rows} labelled rows (need >= ${policy.minFrauds})`,
    },
    {
      name: 'pr_auc',
      passed: challenger.pr_auc >= champion.pr_auc + policy.prAucMargin,
      detail: `challenger ${f(challenger.pr_auc)} vs champion ${f(champion.pr_auc)} + margin ${policy.prAucMargin}`,
    },
    {
      name: 'recall_at_block_precision',
      passed:
        challenger.recall_at_block_precision >= champion.recall_at_block_precision + policy.recallMargin,
      detail:
        `at precision >= ${challenger.block_precision}: challenger recall ${f(challenger.recall_at_block_precision)} ` +
        `vs champion ${f(champion.recall_at_block_precision)} + margin ${policy.recallMargin}`,
    },
    {
      name: 'alert_rate',
      passed: challenger.alert_rate >= policy.minAlertRate && challenger.alert_rate <= policy.maxAlertRate,
      detail: `challenger ${f(challenger.alert_rate)} (champion ${f(champion.alert_rate)}) within [${policy.minAlertRate}, ${policy.maxAlertRate}]`,
    },
  ];
  return { passed: checks.every((c) => c.passed), champion, challenger, checks, policy };
}
