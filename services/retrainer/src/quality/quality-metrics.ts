import { Gauge, Registry } from 'prom-client';
import type { LiveQuality } from './live-quality.ts';

/**
 * Prometheus gauges computed from the live join at scrape time:
 * fraud_live_precision / fraud_live_recall {model_version, role, level},
 * fraud_live_labelled_transactions / fraud_live_labelled_frauds {model_version, role}.
 */
export function liveQualityRegistry(quality: LiveQuality): Registry {
  const registry = new Registry();
  const labelNames = ['model_version', 'role', 'level'] as const;
  // Registered first, so its collect() refreshes the four gauges below before they are read.
  new Gauge({
    name: 'fraud_live_quality_models',
    help: 'Model/role pairs with labelled live traffic',
    registers: [registry],
    collect() {
      const rows = quality.snapshot();
      for (const g of [precision, recall, labelled, frauds]) g.reset();
      for (const r of rows) {
        const l = { model_version: r.modelVersion, role: r.role, level: r.level };
        precision.set(l, r.precision);
        recall.set(l, r.recall);
        if (r.level === 'review') {
          labelled.set({ model_version: r.modelVersion, role: r.role }, r.labelled);
          frauds.set({ model_version: r.modelVersion, role: r.role }, r.frauds);
        }
      }
      this.set(new Set(rows.map((r) => `${r.modelVersion}|${r.role}`)).size);
    },
  });
  const precision = new Gauge({
    name: 'fraud_live_precision',
    help: 'Precision on labelled live traffic at the model’s own threshold (NaN = nothing flagged yet)',
    labelNames,
    registers: [registry],
  });
  const recall = new Gauge({
    name: 'fraud_live_recall',
    help: 'Recall on labelled live traffic at the model’s own threshold (NaN = no labelled fraud yet)',
    labelNames,
    registers: [registry],
  });
  const labelled = new Gauge({
    name: 'fraud_live_labelled_transactions',
    help: 'Labelled transactions the live quality is computed on',
    labelNames: ['model_version', 'role'] as const,
    registers: [registry],
  });
  const frauds = new Gauge({
    name: 'fraud_live_labelled_frauds',
    help: 'Labelled frauds among them',
    labelNames: ['model_version', 'role'] as const,
    registers: [registry],
  });
  return registry;
}
