import type { Thresholds } from './scenarios.ts';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

/** Nearest-rank percentiles of `values` (milliseconds); sorts a copy. NaN fields when empty. */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN, count: 0 };
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[n - 1]!, mean: sum / n, count: n };
}

export interface ThresholdResult {
  metric: string;
  condition: string;
  value: number;
  pass: boolean;
}

/** The k6-style thresholds; a latency with no samples fails (nothing was decided). */
export function checkThresholds(
  latency: LatencySummary,
  lost: number,
  duplicated: number,
  thresholds: Thresholds,
): ThresholdResult[] {
  return [
    {
      metric: 'e2e_ms.p95',
      condition: `< ${thresholds.p95Ms}`,
      value: latency.p95,
      pass: latency.p95 < thresholds.p95Ms,
    },
    {
      metric: 'e2e_ms.p99',
      condition: `< ${thresholds.p99Ms}`,
      value: latency.p99,
      pass: latency.p99 < thresholds.p99Ms,
    },
    { metric: 'lost', condition: `<= ${thresholds.maxLost}`, value: lost, pass: lost <= thresholds.maxLost },
    {
      metric: 'duplicated',
      condition: `<= ${thresholds.maxDuplicated}`,
      value: duplicated,
      pass: duplicated <= thresholds.maxDuplicated,
    },
  ];
}

export const round = (value: number, digits = 1): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
