import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createModelMetrics } from '@fraud/observability';

/** Seconds; the API's objective is p99 <= 10 ms, so the buckets are dense below 25 ms. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Classes of failed requests, the `class` label of fraud_api_errors_total. */
export type ErrorClass =
  | 'bad_request'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'overloaded'
  | 'feature_store_unavailable'
  | 'model_unavailable'
  | 'deadline_exceeded'
  | 'shutting_down'
  | 'internal';

/**
 * The API's Prometheus metrics on a registry of their own (no global state). The model metrics
 * keep the scorer's names (fraud_model_info, fraud_model_reload_total) so one dashboard panel
 * shows which model every process serves.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'fraud_api_request_duration_seconds',
    help: 'HTTP request latency, from the request arriving to the response sent, by route and status.',
    labelNames: ['route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'fraud_api_decisions_total',
    help: 'Transactions scored through the API, by decision and model version.',
    labelNames: ['decision', 'model_version'],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'fraud_api_errors_total',
    help: 'Requests answered with an error, by class.',
    labelNames: ['class'],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'fraud_api_batch_size',
    help: 'Requests per micro-batch (one Redis pipeline and one ONNX run each).',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'fraud_api_batch_duration_seconds',
    help: 'Time to score one micro-batch: features, score, decide, explain.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly queued = new Gauge({
    name: 'fraud_api_queued_requests',
    help: 'Requests waiting for a micro-batch (at scrape time).',
    registers: [this.registry],
  });
  private readonly model = createModelMetrics(this.registry);
  readonly modelInfo = this.model.modelInfo;
  readonly modelReloads = this.model.modelReloads;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
