import { describe, expect, it } from 'vitest';
import { buildDriftReference } from '@fraud/model';
import { ScorerMetrics } from '@fraud/observability';
import { DriftMetrics } from './drift-metrics.ts';

const thresholds = { review: 0.5, block: 0.9 };

/** Rows where feature `a` counts up and feature `b` is always 1. */
function matrix(rows: number, scale: number) {
  const data = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    data[r * 2] = (r % 100) * scale;
    data[r * 2 + 1] = 1;
  }
  return { data, rows, cols: 2 };
}

describe('DriftMetrics', () => {
  it('publishes PSI per feature and for the score at scrape time, per champion version', async () => {
    const train = matrix(10_000, 1);
    const trainScores = Float32Array.from({ length: 10_000 }, (_, i) => (i % 100) / 100);
    const reference = buildDriftReference(train, ['a', 'b'], [0, 10_000], trainScores);
    const metrics = new ScorerMetrics({ defaultMetrics: false });
    const drift = new DriftMetrics(metrics, 2_000, 100);
    const chunk = (scale: number, version: string) => ({
      features: matrix(1_000, scale),
      champion: { version, thresholds, scores: trainScores.subarray(0, 1_000), driftReference: reference },
      explained: 0,
      stageMs: { shadow: 0, explain: 0 },
    });

    drift.onChunk(chunk(1, 'v1'));
    let text = await metrics.registry.metrics();
    expect(text).toMatch(/fraud_feature_psi\{feature="a",model_version="v1"\} 0(\.0+\d*)?$/m);
    expect(text).toMatch(/fraud_score_psi\{model_version="v1"\} \d/);

    drift.onChunk(chunk(0.1, 'v1')); // feature a squeezed into its lowest bins
    await new Promise((resolve) => setTimeout(resolve, 150));
    text = await metrics.registry.metrics();
    const psiA = Number(/fraud_feature_psi\{feature="a",model_version="v1"\} (\S+)/.exec(text)?.[1]);
    expect(psiA).toBeGreaterThan(0.2);

    drift.onChunk(chunk(1, 'v2')); // a promoted champion gets its own window; v1's series go
    await new Promise((resolve) => setTimeout(resolve, 150));
    text = await metrics.registry.metrics();
    expect(text).not.toContain('model_version="v1"');
    expect(text).toContain('fraud_feature_missing_ratio{feature="b",model_version="v2"} 0');
  });
});
