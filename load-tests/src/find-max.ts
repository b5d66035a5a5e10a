/**
 * The highest constant rate a session sustains: doubling from a start rate until a step fails,
 * then bisection between the last pass and the first failure, each step a short run on the same
 * (warm) workers. Bounded by `maxSteps` and `maxTps`.
 */
import type { PhaseResult, BenchSession } from './session.ts';

export interface FindMaxOptions {
  startTps: number;
  stepS: number;
  maxSteps: number;
  /** A step passes with e2e p99 <= this, nothing lost or duplicated, and the rate actually offered. */
  p99Ms: number;
  /** @default 64_000 */
  maxTps?: number;
  /** Stop bisecting when hi/lo <= 1 + precision. @default 0.1 */
  precision?: number;
}

export interface FindMaxStep {
  target_tps: number;
  passed: boolean;
  why: string;
  offered_tps: number;
  achieved_tps: number;
  p50_ms: number;
  p99_ms: number;
  lost: number;
  duplicated: number;
  worker_cpu_us_per_tx: number;
  redis_cpu_us_per_tx: number;
  worker_cpu_cores: number;
  machine_cpu_utilization: number;
  stage_us_per_tx: Record<string, number>;
}

export interface FindMaxResult {
  max_sustained_tps: number;
  criteria: string;
  steps: FindMaxStep[];
}

/** Why a step fails, or '' when it passes. */
export function stepVerdict(r: PhaseResult, targetTps: number, p99Ms: number): string {
  const why: string[] = [];
  if (r.lost > 0) why.push(`lost ${r.lost}`);
  if (r.duplicated > 0) why.push(`duplicated ${r.duplicated}`);
  if (r.not_sent > 0 || r.send_errors > 0) why.push(`driver could not send ${r.not_sent + r.send_errors}`);
  if (r.offered_tps < targetTps * 0.95) why.push(`offered only ${r.offered_tps} TPS`);
  if (!(r.e2e_ms.p99 <= p99Ms)) why.push(`p99 ${r.e2e_ms.p99} ms > ${p99Ms} ms`);
  return why.join('; ');
}

const roundRate = (tps: number) => Math.max(100, Math.round(tps / 100) * 100);

export async function findMax(session: BenchSession, options: FindMaxOptions): Promise<FindMaxResult> {
  const maxTps = options.maxTps ?? 64_000;
  const precision = options.precision ?? 0.1;
  const steps: FindMaxStep[] = [];
  let lo = 0;
  let hi: number | undefined;
  let rate = roundRate(options.startTps);
  while (steps.length < options.maxSteps) {
    session.log(`find-max step ${steps.length + 1}/${options.maxSteps}: ${rate} TPS for ${options.stepS} s`);
    const r = await session.runPhase(
      { name: 'constant', startTps: rate, stages: [{ durationS: options.stepS, targetTps: rate }] },
      `find-max ${rate}`,
    );
    const why = stepVerdict(r, rate, options.p99Ms);
    steps.push({
      target_tps: rate,
      passed: why === '',
      why: why || 'ok',
      offered_tps: r.offered_tps,
      achieved_tps: r.achieved_tps,
      p50_ms: r.e2e_ms.p50,
      p99_ms: r.e2e_ms.p99,
      lost: r.lost,
      duplicated: r.duplicated,
      worker_cpu_us_per_tx: r.worker_cpu_us_per_tx,
      redis_cpu_us_per_tx: r.redis_cpu_us_per_tx,
      worker_cpu_cores: r.worker_cpu_cores,
      machine_cpu_utilization: r.machine_cpu_utilization,
      stage_us_per_tx: r.stage_us_per_tx,
    });
    session.log(
      `  -> ${why === '' ? 'pass' : `fail (${why})`}; p99 ${r.e2e_ms.p99} ms, achieved ${r.achieved_tps} TPS`,
    );
    if (why === '') lo = Math.max(lo, rate);
    else hi = hi === undefined ? rate : Math.min(hi, rate);
    let next: number;
    if (hi === undefined) {
      next = rate * 2;
      if (next > maxTps) break;
    } else {
      if (lo > 0 && hi / lo <= 1 + precision) break;
      next = roundRate(lo > 0 ? (lo + hi) / 2 : hi / 2);
      if (next === lo || next === hi) break;
    }
    rate = roundRate(next);
  }
  return {
    max_sustained_tps: lo,
    criteria: `constant rate for ${options.stepS} s: e2e p99 <= ${options.p99Ms} ms, 0 lost, 0 duplicated, >= 95% of the rate offered`,
    steps,
  };
}
