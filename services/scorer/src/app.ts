import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  ContractSerde,
  valueSubject,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import path from 'node:path';
import {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  RedisFeatureStore,
  createRedisClient,
} from '@fraud/features';
import { LocalModelSource, type ModelSource } from '@fraud/model';
import { ReloadingModelProvider, type ModelProvider } from '@fraud/scoring';
import { PartitionCommitter, createKafka, ensureTopics } from '@fraud/kafka';
import { ScorerMetrics, startOpsServer, type Logger, type OpsServer } from '@fraud/observability';
import { runShutdownSteps, type ServiceLifecycle, type ShutdownStep } from '@fraud/runtime';
import { BatchProcessor } from './batch-processor.ts';
import type { ScorerConfig } from './config.ts';
import { DriftMetrics } from './model-ops/drift-metrics.ts';
import { ShadowMetrics, type ChunkObserver } from './model-ops/shadow-metrics.ts';
import { ScorerWorker } from './worker.ts';
import { awaitStartupDependencies } from './preflight.ts';

/** One observer that hands every chunk to each of `observers` in turn. */
function allObservers(...observers: ChunkObserver[]): ChunkObserver {
  return { onChunk: (chunk) => observers.forEach((observer) => observer.onChunk(chunk)) };
}

export interface ScorerApp {
  readonly worker: ScorerWorker;
  readonly metrics: ScorerMetrics;
  readonly ops: OpsServer;
  readonly models: ModelProvider & { poll?(): Promise<void> };
  /** Closes everything in order (worker, model watchers, Redis, HTTP); safe to call twice. */
  close(): Promise<void>;
}

/**
 * The composition root: builds every client from the config and wires the worker. Nothing here
 * is a module-level singleton, so tests build as many scorers as they like.
 */
export async function createScorerApp(
  config: Readonly<ScorerConfig>,
  logger: Logger,
  /** The run the worker reports to (fatal errors) and takes its state and stop signal from. */
  lifecycle: ServiceLifecycle,
  /** Where models come from; the models directory of the config unless given (an S3 source, a test double). */
  modelSource: ModelSource = new LocalModelSource(path.resolve(config.model.registryDir)),
): Promise<ScorerApp> {
  const metrics = new ScorerMetrics();
  const models = await ReloadingModelProvider.start({
    source: modelSource,
    loadOptions: {
      expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
      expectedFeatureNames: FEATURE_NAMES,
      streamFields: config.model.streamFields,
    },
    logger,
    metrics,
    pollIntervalMs: config.model.pollIntervalMs,
    pinnedChampion: config.model.version,
    shadowEnabled: config.model.shadowEnabled,
    reasonCodesTopK: config.model.reasonCodesTopK,
    warmRows: config.maxBatchSize,
  });
  const kafka = createKafka(config.kafka, logger);
  if (config.createTopics) {
    const created = await ensureTopics(kafka, [
      { topic: config.topics.transactions, numPartitions: config.topicPartitions },
      { topic: config.topics.decisions, numPartitions: config.topicPartitions },
      { topic: config.topics.alerts, numPartitions: config.topicPartitions },
      { topic: config.topics.dlq, numPartitions: config.topicPartitions },
    ]);
    if (created.length > 0) logger.info({ topics: created }, 'created topics');
  }

  const registry = new SchemaRegistry({ host: config.schemaRegistry.url, auth: config.schemaRegistry.auth });
  const transactionSerde = new ContractSerde<Transaction>(registry, 'transaction');
  const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
  const alertSerde = new ContractSerde<FraudAlert>(registry, 'fraud-alert');
  // Locally (SCORER_CREATE_TOPICS) the scorer also registers the input subject an upstream
  // producer would; in production its absence is reported at start (preflight).
  if (config.createTopics) await transactionSerde.registerWriter(valueSubject(config.topics.transactions));
  await decisionSerde.registerWriter(valueSubject(config.topics.decisions));
  await alertSerde.registerWriter(valueSubject(config.topics.alerts));

  const redis = createRedisClient(config.redis);
  await redis.connect();
  const featureStore = new RedisFeatureStore({
    redis,
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: config.redis.stateTtlSeconds,
    idempotencyTtlSeconds: config.redis.idempotencyTtlSeconds,
  });

  let lastShadowErrorAt = 0;

  const processor = new BatchProcessor({
    transactionSerde,
    decisionSerde,
    alertSerde,
    featureStore,
    models,
    maxFutureSkewMs: config.maxFutureSkewMs,
    featureLog: config.featureLog,
    observer: allObservers(
      new ShadowMetrics(metrics, config.model.agreementWindow),
      new DriftMetrics(metrics),
    ),
    onShadowError: (error, challengerVersion) => {
      // At most one log line a minute: a broken challenger must not flood the logs.
      if (Date.now() - lastShadowErrorAt < 60_000) return;
      lastShadowErrorAt = Date.now();
      logger.warn({ err: error, challengerVersion }, 'challenger scoring failed; decisions go on without it');
    },
  });
  const committer = new PartitionCommitter(kafka, {
    transactionalIdPrefix: config.transactionalIdPrefix,
    consumerGroupId: config.groupId,
    transactionTimeoutMs: config.transactionTimeoutMs,
  });
  const worker = new ScorerWorker({
    kafka,
    lifecycle,
    committer,
    processor,
    metrics,
    logger,
    groupId: config.groupId,
    topics: config.topics,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    maxBatchSize: config.maxBatchSize,
    commitIntervalMs: config.commit.intervalMs,
    commitMaxRecords: config.commit.maxRecords,
    maxBytesPerPartition: config.maxBytesPerPartition,
    retryMaxBackoffMs: config.retryMaxBackoffMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    preflight: (onMissing, signal) =>
      awaitStartupDependencies({
        kafka,
        registry,
        topics: Object.values(config.topics),
        inputSubject: valueSubject(config.topics.transactions),
        timeoutMs: config.startupTimeoutMs,
        logger,
        onMissing,
        signal,
      }),
  });
  const ops = await startOpsServer({
    host: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    health: {
      live: () => lifecycle.state !== 'FAILED',
      ready: () => worker.isReady(),
      detail: () => worker.readinessDetail(),
    },
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    // Order: stop consuming and commit in-flight work first, then the clients it used.
    const steps: ShutdownStep[] = [
      ['worker', () => worker.close()],
      ['models', () => models.close?.() ?? Promise.resolve()],
      ['redis', () => redis.quit()],
      ['http', () => ops.close()],
    ];
    await runShutdownSteps(steps, logger);
  };
  return {
    worker,
    metrics,
    ops,
    models,
    close: () => (closing ??= close()),
  };
}
