import { afterEach, describe, expect, it } from 'vitest';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT } from '@fraud/features';
import { LocalModelSource } from '@fraud/model';
import { ScorerMetrics, createLogger } from '@fraud/observability';
import type { ActiveModel } from './active-model.ts';
import { ReloadingModelProvider } from './reloading-model-provider.ts';
import { copyModels, type TestModels } from './testing/test-models.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options: { pinnedChampion?: string } = {}) {
  const models = await copyModels();
  cleanup.push(() => models.remove());
  const metrics = new ScorerMetrics({ defaultMetrics: false });
  const start = () =>
    ReloadingModelProvider.start({
      source: new LocalModelSource(models.dir),
      loadOptions: {
        expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
        expectedFeatureNames: FEATURE_NAMES,
      },
      logger: createLogger({ name: 'test', level: 'silent' }),
      metrics,
      pollIntervalMs: 0, // the tests poll by hand
      warmRows: 8,
      ...options,
    });
  return { models, metrics, start };
}

async function metricValue(metrics: ScorerMetrics, name: string, labels: Record<string, string>) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

async function started(models: TestModels, start: () => Promise<ReloadingModelProvider>) {
  const provider = await start();
  cleanup.push(() => provider.close());
  expect(provider.current().version).toBe(models.defaultVersion);
  return provider;
}

describe('ReloadingModelProvider', () => {
  it('swaps in a promoted champion on the next poll and closes the old one after its last batch', async () => {
    const { models, metrics, start } = await setup();
    const provider = await started(models, start);
    const old = provider.current();
    const release = old.retain!(); // a batch still running on the old model
    await models.addVersion('v-next', (m) => {
      m.thresholds = { review: 0.5, block: 0.9 };
    });
    await models.promote('v-next');
    await provider.poll();
    expect(provider.current().version).toBe('v-next');
    expect(provider.current().thresholds.review).toBe(0.5);
    // The old model still scores for the batch that holds it.
    const matrix = {
      data: new Float32Array(FEATURE_NAMES.length).fill(Number.NaN),
      rows: 1,
      cols: FEATURE_NAMES.length,
    };
    expect((await old.score(matrix)).length).toBe(1);
    release();
    expect(() => old.retain!()).toThrow(/closed/);
    expect(
      await metricValue(metrics, 'fraud_model_reload_total', { role: 'champion', result: 'success' }),
    ).toBe(1);
    expect(
      await metricValue(metrics, 'fraud_model_info', { model_version: 'v-next', role: 'champion' }),
    ).toBe(1);
    expect(
      await metricValue(metrics, 'fraud_model_info', {
        model_version: models.defaultVersion,
        role: 'champion',
      }),
    ).toBeUndefined();
  });

  it('refuses a model for another feature set, keeps the running one, and does not retry it every poll', async () => {
    const { models, metrics, start } = await setup();
    const provider = await started(models, start);
    await models.addVersion('v-other-features', (m) => {
      m.feature_set_fingerprint = 'f'.repeat(64);
    });
    await models.promote('v-other-features');
    await provider.poll();
    await provider.poll();
    expect(provider.current().version).toBe(models.defaultVersion);
    expect(
      await metricValue(metrics, 'fraud_model_reload_total', { role: 'champion', result: 'refused' }),
    ).toBe(1);
  });

  it('loads a challenger, lets it become champion without reloading it, and drops it when unnamed', async () => {
    const { models, start } = await setup();
    const provider = await started(models, start);
    await models.addVersion('v-challenger');
    await models.promote('v-challenger', { challenger: true });
    await provider.poll();
    const challenger = provider.challenger() as ActiveModel;
    expect(challenger.version).toBe('v-challenger');
    await models.promote('v-challenger');
    await provider.poll();
    expect(provider.current()).toBe(challenger); // the same warmed instance
    expect(provider.challenger()).toBeUndefined();
  });

  it('keeps a pinned champion whatever the registry says', async () => {
    const models0 = await copyModels();
    cleanup.push(() => models0.remove());
    const { models, start } = await setup({ pinnedChampion: models0.defaultVersion });
    const provider = await started(models, start);
    await models.addVersion('v-next');
    await models.promote('v-next');
    await provider.poll();
    expect(provider.current().version).toBe(models.defaultVersion);
  });
});
