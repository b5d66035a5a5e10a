/**
 * Which metric names a rule or a panel may read, and which of them may legitimately have no series
 * in a short test run. The scorer's own names come from its real registry (ScorerMetrics), or in
 * the live test from the scorer's /metrics text, never from a hand-written copy, so a typo in a
 * rule or a panel fails.
 */
import { ApiMetrics } from '@fraud/api';
import { ScorerMetrics, parseExposition, type MetricKind } from '@fraud/observability';
import { LiveQuality, liveQualityRegistry } from '@fraud/retrainer/live-quality';
import { metricNames } from './promql-selectors.ts';

export type MetricType = MetricKind;

/** Metric families keyed by name. */
export type MetricFamilies = Map<string, MetricType>;

/**
 * Metrics another engineer is adding to the scorer (drift and challenger monitoring). Rules and
 * panels for them exist already; until the scorer exports them they are accepted by name from this
 * list only. Delete an entry once ScorerMetrics has it.
 */
export const PENDING_METRICS: ReadonlyMap<string, MetricType> = new Map<string, MetricType>([]);

/** Series Prometheus makes itself: per scrape target, and for alerting rules. */
export const PROMETHEUS_SERIES: ReadonlySet<string> = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

/**
 * Selectors (metric names) that may return no series in the live test, and why. Everything else a
 * rule or a panel reads must have at least one series after the test's load.
 */
export const ALLOWED_EMPTY: ReadonlyMap<string, string> = new Map([
  [
    'fraud_dependency_retries_total',
    'labelled counter: no series until a dependency fails, and the test keeps Redis and Kafka up',
  ],
  ['ALERTS', 'no alert fires during a healthy test run'],
  ['ALERTS_FOR_STATE', 'no alert is pending during a healthy test run'],
  [
    'fraud_challenger_score_bucket',
    'only exported while a challenger model shadows the champion; the test runs the champion alone',
  ],
  [
    'fraud_challenger_agreement_ratio',
    'only exported while a challenger model shadows the champion; the test runs the champion alone',
  ],
]);

/** The sample names a family exposes (a histogram `x` is read as x_bucket, x_sum and x_count). */
export function sampleNames(name: string, type: MetricType): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

export function familySampleNames(families: MetricFamilies): Set<string> {
  return new Set([...families].flatMap(([name, type]) => sampleNames(name, type)));
}

/** The families in a Prometheus text exposition (name and `# TYPE`). */
export function parseExpositionFamilies(text: string): MetricFamilies {
  return new Map(parseExposition(text).map((f) => [f.name, f.type]));
}

/** The families the scorer registers, from its real ScorerMetrics class (default metrics included). */
export async function scorerRegistryFamilies(): Promise<MetricFamilies> {
  const metrics = new ScorerMetrics();
  const families: MetricFamilies = new Map();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    families.set(metric.name, String(metric.type) as MetricType);
  }
  return families;
}

/** The families the scoring API registers (job fraud-api), from its real ApiMetrics class. */
export async function apiRegistryFamilies(): Promise<MetricFamilies> {
  const metrics = new ApiMetrics();
  const families: MetricFamilies = new Map();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    families.set(metric.name, String(metric.type) as MetricType);
  }
  return families;
}

/**
 * The families the retrainer's live-quality exporter registers (job fraud-live-quality), from its
 * real registry: per-model precision and recall on labelled live traffic.
 */
export async function liveQualityRegistryFamilies(): Promise<MetricFamilies> {
  const registry = liveQualityRegistry(new LiveQuality(1_000, () => undefined));
  const families: MetricFamilies = new Map();
  for (const metric of await registry.getMetricsAsJSON()) {
    families.set(metric.name, String(metric.type) as MetricType);
  }
  return families;
}

/**
 * The families the pending list still contributes: those the scorer does not export yet. A pending
 * name the scorer now exports must have the type this list promised.
 */
export function pendingFamilies(exported: MetricFamilies): MetricFamilies {
  const pending: MetricFamilies = new Map();
  for (const [name, type] of PENDING_METRICS) {
    const actual = exported.get(name);
    if (actual === undefined) pending.set(name, type);
    else if (actual !== type) {
      throw new Error(`${name} is exported as a ${actual}, but the rules and dashboards expect a ${type}`);
    }
  }
  return pending;
}

/** The metric names `expr` reads that are not in `known` (empty when every name is known). */
export function unknownMetricNames(expr: string, known: ReadonlySet<string>): string[] {
  return metricNames(expr).filter((name) => !known.has(name));
}
