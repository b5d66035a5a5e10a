import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The metrics of a process that serves a model (the scorer, the API): the same names everywhere,
 * so one dashboard panel shows which model every process serves and how its reloads went.
 */
export function createModelMetrics(registry: Registry) {
  return {
    modelInfo: new Gauge({
      name: 'fraud_model_info',
      help: 'The model in use (value 1), with its version and feature-set fingerprint.',
      labelNames: ['model_version', 'feature_set', 'role'],
      registers: [registry],
    }),
    modelReloads: new Counter({
      name: 'fraud_model_reload_total',
      help: 'Model loads after start (hot reload), by role and result: success, refused (another feature set) or failed (unreadable/invalid).',
      labelNames: ['role', 'result'],
      registers: [registry],
    }),
  };
}

export type ModelMetrics = ReturnType<typeof createModelMetrics>;
