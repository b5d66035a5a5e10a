import { describe, expect, it } from 'vitest';
import { ScorerMetrics } from './scorer-metrics.ts';

const readyValue = async (metrics: ScorerMetrics) => (await metrics.ready.get()).values[0]?.value;

describe('fraud_scorer_ready', () => {
  it('is 0 until a readiness probe is given, then follows the probe at every scrape', async () => {
    const metrics = new ScorerMetrics();
    expect(await readyValue(metrics)).toBe(0);
    let ready = false;
    metrics.deriveReadiness(() => ready);
    expect(await readyValue(metrics)).toBe(0);
    ready = true;
    expect(await readyValue(metrics)).toBe(1);
    expect(await metrics.registry.metrics()).toContain('fraud_scorer_ready 1');
    ready = false; // a consumer crash: the next scrape says so without anyone setting the gauge
    expect(await metrics.registry.metrics()).toContain('fraud_scorer_ready 0');
  });
});
