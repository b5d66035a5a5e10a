import { describe, expect, it } from 'vitest';
import { ScorerMetrics } from '@fraud/observability';
import { AgreementWindow, ShadowMetrics } from './shadow-metrics.ts';

async function metricValue(metrics: ScorerMetrics, name: string, labels: Record<string, string>) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe('shadow metrics', () => {
  it('keeps a rolling agreement ratio', () => {
    const window = new AgreementWindow(4);
    expect(window.ratio).toBeNaN();
    for (const agree of [true, true, false, false]) window.push(agree);
    expect(window.ratio).toBe(0.5);
    window.push(false);
    window.push(false);
    expect(window.ratio).toBe(0);
    expect(window.count).toBe(4);
  });

  it('compares flagged vs not at each model own review threshold', async () => {
    const metrics = new ScorerMetrics({ defaultMetrics: false });
    const shadow = new ShadowMetrics(metrics, 100);
    shadow.onChunk({
      features: { data: new Float32Array(0), rows: 4, cols: 0 },
      champion: {
        version: 'a',
        thresholds: { review: 0.1, block: 0.9 },
        scores: Float32Array.of(0.05, 0.2, 0.3, 0.01),
      },
      challenger: {
        version: 'b',
        thresholds: { review: 0.25, block: 0.9 },
        scores: Float32Array.of(0.2, 0.2, 0.3, 0.5),
      },
      explained: 2,
      stageMs: { shadow: 1, explain: 1 },
    });
    // row 0: no/no agree; row 1: yes/no; row 2: yes/yes; row 3: no/yes -> 2 of 4
    expect(
      await metricValue(metrics, 'fraud_challenger_agreement_ratio', { champion: 'a', challenger: 'b' }),
    ).toBe(0.5);
    expect(await metricValue(metrics, 'fraud_reason_codes_total', { model_version: 'a' })).toBe(2);
  });
});
