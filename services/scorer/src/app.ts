import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Cluster, Redis } from 'ioredis';
import {
  ContractSerde,
  valueSubject,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import { RedisFeatureStore } from '@fraud/features';
import { TransactionalProducerPool, createKafka, ensureTopics } from '@fraud/kafka';
import { ScorerMetrics, startOpsServer, type Logger, type OpsServer } from '@fraud/observability';
import type { ModelProvider } from './active-model.ts';
import { BatchProcessor } from './batch-processor.ts';
import type { ScorerConfig } from './config.ts';
import { loadModelProvider } from './model-provider.ts';
import { ScorerWorker } from './worker.ts';

export interface ScorerApp {
  readonly worker: ScorerWorker;
  readonly metrics: ScorerMetrics;
  readonly ops: OpsServer;
  readonly models: ModelProvider;
  /** Closes everything in order (worker, model watchers, Redis, HTTP); safe to call twice. */
  close(): Promise<void>;
}

function createRedis(config: ScorerConfig['redis']): Redis | Cluster {
  // Fail commands fast while disconnected (no unbounded offline queue): the worker pauses the
  // batch and retries with backoff instead of piling commands up in memory.
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
  };
  const url = new URL(config.url);
  if (config.cluster) {
    return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: {
        ...options,
        username: url.username || undefined,
        password: decodeURIComponent(url.password) || undefined,
        tls: url.protocol === 'rediss:' ? {} : undefined,
      },
    });
  }
  return new Redis(config.url, options);
}

/**
 * The composition root: builds every client from the config and wires the worker. Nothing here
 * is a module-level singleton, so tests build as many scorers as they like.
 */
export async function createScorerApp(config: Readonly<ScorerConfig>, logger: Logger): Promise<ScorerApp> {
  const models = await loadModelProvider(config.model, logger);
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
  await decisionSerde.registerWriter(valueSubject(config.topics.decisions));
  await alertSerde.registerWriter(valueSubject(config.topics.alerts));

  const redis = createRedis(config.redis);
  await redis.connect();
  const featureStore = new RedisFeatureStore({ redis, keyPrefix: config.redis.keyPrefix });

  const metrics = new ScorerMetrics();
  const champion = models.current();
  metrics.modelInfo.set(
    { model_version: champion.version, feature_set: champion.featureFingerprint, role: 'champion' },
    1,
  );

  const processor = new BatchProcessor({
    transactionSerde,
    decisionSerde,
    alertSerde,
    featureStore,
    models,
    maxFutureSkewMs: config.maxFutureSkewMs,
  });
  const producers = new TransactionalProducerPool(kafka, {
    transactionalIdPrefix: config.transactionalIdPrefix,
    size: config.partitionsConsumedConcurrently,
  });
  const worker = new ScorerWorker({
    kafka,
    producers,
    processor,
    metrics,
    logger,
    groupId: config.groupId,
    topics: config.topics,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    maxBatchSize: config.maxBatchSize,
    maxBytesPerPartition: config.maxBytesPerPartition,
    retryMaxBackoffMs: config.retryMaxBackoffMs,
  });
  const ops = await startOpsServer({
    host: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    health: {
      live: () => worker.currentState !== 'FAILED',
      ready: () => worker.isReady(),
      detail: () => worker.readinessDetail(),
    },
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    // Order: stop consuming and commit in-flight work first, then the clients it used.
    const steps: [string, () => Promise<unknown>][] = [
      ['worker', () => worker.close()],
      ['models', () => models.close?.() ?? Promise.resolve()],
      ['redis', () => redis.quit()],
      ['http', () => ops.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        logger.warn({ err: error, step: name }, 'shutdown step failed');
      }
    }
  };
  return {
    worker,
    metrics,
    ops,
    models,
    close: () => (closing ??= close()),
  };
}
