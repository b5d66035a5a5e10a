import type { PromotionLogEntry } from '@fraud/model';

/** When a retrain is due. Each trigger is optional; any one that fires is enough. */
export interface TriggerPolicy {
  /** Schedule: retrain when the last retrain is older than this. */
  maxAgeMs?: number | undefined;
  /** Retrain when at least this many labels arrived since the last retrain. */
  minNewLabels?: number | undefined;
  /** Retrain when a feature or score PSI (drift vs the training distribution) exceeds this. */
  psiThreshold?: number | undefined;
}

export interface TriggerInputs {
  nowMs: number;
  /** When the last retrain registered a challenger; undefined = never. */
  lastRetrainAtMs: number | undefined;
  newLabels: number;
  /** The largest current feature/score PSI; undefined = not measured. */
  maxPsi: number | undefined;
}

export interface Trigger {
  trigger: 'first' | 'schedule' | 'labels' | 'psi';
  detail: string;
}

/** The first trigger that fires (in the order first, psi, labels, schedule), or undefined. */
export function retrainTrigger(policy: TriggerPolicy, inputs: TriggerInputs): Trigger | undefined {
  if (inputs.lastRetrainAtMs === undefined) return { trigger: 'first', detail: 'no retrain on record' };
  if (
    policy.psiThreshold !== undefined &&
    inputs.maxPsi !== undefined &&
    inputs.maxPsi > policy.psiThreshold
  ) {
    return { trigger: 'psi', detail: `max PSI ${inputs.maxPsi.toFixed(3)} > ${policy.psiThreshold}` };
  }
  if (policy.minNewLabels !== undefined && inputs.newLabels >= policy.minNewLabels) {
    return { trigger: 'labels', detail: `${inputs.newLabels} new labels >= ${policy.minNewLabels}` };
  }
  const ageMs = inputs.nowMs - inputs.lastRetrainAtMs;
  if (policy.maxAgeMs !== undefined && ageMs >= policy.maxAgeMs) {
    return {
      trigger: 'schedule',
      detail: `last retrain ${Math.round(ageMs / 60_000)} min ago >= ${Math.round(policy.maxAgeMs / 60_000)} min`,
    };
  }
  return undefined;
}

/** When the last retrain happened, from the promotion log. */
export function lastRetrainAt(log: readonly PromotionLogEntry[]): number | undefined {
  const entry = log.findLast((e) => e.action === 'challenger' && e.by === 'retrain');
  return entry ? Date.parse(entry.at) : undefined;
}

/**
 * The largest feature or score PSI the scorers report, from Prometheus's HTTP API
 * (`fraud_feature_psi`, `fraud_score_psi`, exported by every scorer). Undefined when no series.
 */
export async function maxPsiFromPrometheus(
  prometheusUrl: string,
  timeoutMs = 10_000,
): Promise<number | undefined> {
  const query = 'max(max by (__name__) ({__name__=~"fraud_feature_psi|fraud_score_psi"}))';
  const url = `${prometheusUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Prometheus ${url}: HTTP ${response.status}`);
  const body = (await response.json()) as {
    status: string;
    data?: { result?: { value?: [number, string] }[] };
  };
  const value = body.data?.result?.[0]?.value?.[1];
  if (value === undefined) return undefined;
  const psi = Number(value);
  return Number.isFinite(psi) ? psi : undefined;
}
