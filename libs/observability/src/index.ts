export { createLogger, type Logger } from './logger.ts';
export { startOpsServer, type HealthProbe, type OpsServer, type OpsServerOptions } from './http-server.ts';
export { ScorerMetrics } from './scorer-metrics.ts';
export { createModelMetrics, type ModelMetrics } from './model-metrics.ts';
export {
  exposedValue,
  parseExposition,
  type ExposedFamily,
  type ExposedSample,
  type MetricKind,
} from './exposition.ts';
