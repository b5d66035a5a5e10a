import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createModelMetrics } from './model-metrics.ts';

/** Latency buckets (seconds) around the 100 ms p95 / 250 ms p99 objective. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STAGE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const BATCH_BUCKETS = [1, 8, 32, 64, 128, 256, 512, 1024, 2048];
/** Fraud probabilities are heavily skewed toward 0; review thresholds sit around 0.01-0.1. */
const SCORE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];

/**
 * The scorer's Prometheus metrics, on a registry of their own (no global state, so tests can run
 * several scorers in one process). Names are the contract with infra/prometheus and the dashboards.
 */
export class ScorerMetrics {
  readonly registry = new Registry();
  readonly consumed = new Counter({
    name: 'fraud_transactions_consumed_total',
    help: 'Records consumed from the transactions topic (good and bad).',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly scored = new Counter({
    name: 'fraud_transactions_scored_total',
    help: 'Transactions scored, by decision and model version.',
    labelNames: ['decision', 'model_version'],
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: 'fraud_alerts_total',
    help: 'Alerts published to the alerts topic, by decision and model version.',
    labelNames: ['decision', 'model_version'],
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'fraud_dlq_total',
    help: 'Records sent to the dead-letter topic, by reason.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly endToEndLatency = new Histogram({
    name: 'fraud_e2e_latency_seconds',
    help: 'From the transaction event time (from="event_time") or the broker append time (from="append_time") to the commit of the transaction that makes the decision visible.',
    labelNames: ['from'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly stageDuration = new Histogram({
    name: 'fraud_stage_duration_seconds',
    help: 'Time per batch spent in each pipeline stage.',
    labelNames: ['stage'],
    buckets: STAGE_BUCKETS,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'fraud_batch_size',
    help: 'Records per processed batch.',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly commitRecords = new Histogram({
    name: 'fraud_commit_records',
    help: 'Records consumed per committed Kafka transaction (one pending group; adaptive group commit).',
    buckets: [1, 8, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
    registers: [this.registry],
  });
  readonly commitGroupAge = new Histogram({
    name: 'fraud_commit_group_age_seconds',
    help: 'How long the oldest chunk of a pending group waited before its transaction was committed.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly commits = new Counter({
    name: 'fraud_commits_total',
    help: 'Committed transactions by what triggered them: interval, size, idle, close, or every_chunk (interval 0).',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: 'fraud_consumer_lag',
    help: 'Records behind the high watermark after the last processed batch, per partition.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({
    name: 'fraud_redis_errors_total',
    help: 'Feature-store (Redis) failures; each one pauses the batch and retries.',
    registers: [this.registry],
  });
  readonly dependencyRetries = new Counter({
    name: 'fraud_dependency_retries_total',
    help: 'Batch retries after a dependency failure, by dependency.',
    labelNames: ['dependency'],
    registers: [this.registry],
  });
  private readonly model = createModelMetrics(this.registry);
  readonly modelInfo = this.model.modelInfo;
  readonly modelReloads = this.model.modelReloads;
  readonly modelScore = new Histogram({
    name: 'fraud_score',
    help: 'Champion fraud probabilities by model version (the challenger has fraud_challenger_score).',
    labelNames: ['model_version'],
    buckets: SCORE_BUCKETS,
    registers: [this.registry],
  });
  readonly challengerScore = new Histogram({
    name: 'fraud_challenger_score',
    help: 'Fraud probabilities of the shadow challenger model.',
    labelNames: ['model_version'],
    buckets: SCORE_BUCKETS,
    registers: [this.registry],
  });
  readonly challengerAgreement = new Gauge({
    name: 'fraud_challenger_agreement_ratio',
    help: 'Share of recent transactions where champion and challenger agree on flagged vs not, each at its own review threshold (rolling window).',
    labelNames: ['champion', 'challenger'],
    registers: [this.registry],
  });
  readonly explainedRows = new Counter({
    name: 'fraud_reason_codes_total',
    help: 'Flagged transactions explained with TreeSHAP reason codes, by model version.',
    labelNames: ['model_version'],
    registers: [this.registry],
  });
  private readinessProbe: () => boolean = () => false;
  /** Derived at scrape time from the probe given to deriveReadiness (0 until then), never set by hand. */
  readonly ready: Gauge = new Gauge({
    name: 'fraud_scorer_ready',
    help: '1 while the scorer is consuming and its dependencies answer.',
    registers: [this.registry],
    collect: (): void => this.ready.set(this.readinessProbe() ? 1 : 0),
  });

  /** fraud_scorer_ready follows `probe` (the worker's state) at every scrape. */
  deriveReadiness(probe: () => boolean): void {
    this.readinessProbe = probe;
  }

  private driftCollector: (() => void) | undefined;
  private driftCollectedAt = 0;
  /** Drift gauges are computed at scrape time; all three share one computation per scrape. */
  private readonly collectDrift = () => {
    const now = Date.now();
    if (!this.driftCollector || now - this.driftCollectedAt < 100) return;
    this.driftCollectedAt = now;
    this.driftCollector();
  };
  readonly featurePsi = new Gauge({
    name: 'fraud_feature_psi',
    help: 'Population Stability Index of each model feature: live rolling window vs the training reference.',
    labelNames: ['feature', 'model_version'],
    registers: [this.registry],
    collect: this.collectDrift,
  });
  readonly featureMissingRatio = new Gauge({
    name: 'fraud_feature_missing_ratio',
    help: 'Share of live transactions in the rolling window where the feature was missing.',
    labelNames: ['feature', 'model_version'],
    registers: [this.registry],
    collect: this.collectDrift,
  });
  readonly scorePsi = new Gauge({
    name: 'fraud_score_psi',
    help: 'Population Stability Index of the champion score: live rolling window vs validation scores at training.',
    labelNames: ['model_version'],
    registers: [this.registry],
    collect: this.collectDrift,
  });

  /** Sets the function that refreshes the drift gauges when Prometheus scrapes. */
  registerDriftCollector(collector: () => void): void {
    this.driftCollector = collector;
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
