import { DEFAULT_MATURITY, DEFAULT_MIN_FRAUDS } from '../defaults.ts';
import { DEFAULT_GATE_POLICY, type GatePolicy } from '../gate.ts';
import { durationArg, numberArg, UsageError } from '@fraud/config';

/** Options shared by retrain and gate. */
export const FEEDBACK_OPTIONS = {
  models: { type: 'string' },
  decisions: { type: 'string' },
  labels: { type: 'string' },
  maturity: { type: 'string' },
  'min-frauds': { type: 'string' },
  'max-seconds': { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function minFraudsArg(value: string | undefined): number {
  const n = numberArg(value, 'min-frauds') ?? DEFAULT_MIN_FRAUDS;
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--min-frauds must be an integer >= 1');
  return n;
}

export function maturityArg(value: string | undefined): number {
  return durationArg(value ?? DEFAULT_MATURITY, 'maturity')!;
}

export function gatePolicyArgs(a: {
  'pr-auc-margin'?: string | undefined;
  'recall-margin'?: string | undefined;
  'min-frauds'?: string | undefined;
  'min-alert-rate'?: string | undefined;
  'max-alert-rate'?: string | undefined;
}): GatePolicy {
  const policy: GatePolicy = {
    prAucMargin: numberArg(a['pr-auc-margin'], 'pr-auc-margin') ?? DEFAULT_GATE_POLICY.prAucMargin,
    recallMargin: numberArg(a['recall-margin'], 'recall-margin') ?? DEFAULT_GATE_POLICY.recallMargin,
    minFrauds: minFraudsArg(a['min-frauds']),
    minAlertRate: numberArg(a['min-alert-rate'], 'min-alert-rate') ?? DEFAULT_GATE_POLICY.minAlertRate,
    maxAlertRate: numberArg(a['max-alert-rate'], 'max-alert-rate') ?? DEFAULT_GATE_POLICY.maxAlertRate,
  };
  if (!(policy.minAlertRate >= 0 && policy.minAlertRate <= policy.maxAlertRate && policy.maxAlertRate <= 1)) {
    throw new UsageError('alert-rate bounds must satisfy 0 <= --min-alert-rate <= --max-alert-rate <= 1');
  }
  return policy;
}
