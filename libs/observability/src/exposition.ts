/**
 * Reading Prometheus text exposition (what `/metrics` serves), with `parse-prometheus-text-format`
 * (a port of the Prometheus Python client's parser: escapes, untyped samples, histograms), so
 * nothing here splits sample lines by regex.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One plain sample (counter, gauge, untyped): its labels and value. */
export interface ExposedSample {
  labels: Record<string, string>;
  value: number;
}

/** One metric family: name, `# TYPE` and, for plain types, its samples. */
export interface ExposedFamily {
  name: string;
  type: MetricKind;
  /**
   * Counter, gauge and untyped samples. Empty for histograms and summaries: the library (1.1.1)
   * drops the labels, `_sum` and `_count` of labelled histograms, so none are offered.
   */
  samples: ExposedSample[];
}

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

/** The metric families of an exposition, in order. */
export function parseExposition(text: string): ExposedFamily[] {
  return (parsePrometheusTextFormat(text) as ParsedFamily[]).map((family) => ({
    name: family.name,
    type: family.type.toLowerCase() as MetricKind,
    samples:
      family.type === 'HISTOGRAM' || family.type === 'SUMMARY'
        ? []
        : family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })),
  }));
}

/** The value of the first sample of `name` whose labels include `labels`; undefined if none. */
export function exposedValue(
  families: readonly ExposedFamily[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const family = families.find((f) => f.name === name);
  return family?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
