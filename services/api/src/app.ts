import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  RedisFeatureStore,
  createRedisClient,
} from '@fraud/features';
import { LocalModelSource, type ModelSource } from '@fraud/model';
import type { Logger } from '@fraud/observability';
import { BatchScorer } from '@fraud/scoring';
import { runShutdownSteps, type ShutdownStep } from '@fraud/runtime';
import { ApiKeyVerifier } from './auth.ts';
import type { ApiConfig } from './config.ts';
import { ApiMetrics } from './metrics.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { ModelHolder } from './model-holder.ts';
import { buildApiServer, type ApiServer, type Readiness } from './server.ts';

// The metric contract, for the monitoring tests (infra/monitoring-test) that check rules and panels.
export { ApiMetrics } from './metrics.ts';

export interface ApiApp {
  readonly server: ApiServer;
  readonly metrics: ApiMetrics;
  readonly models: ModelHolder;
  readonly batcher: MicroBatcher;
  readonly redis: Redis | Cluster;
  /** The port it listens on (API_PORT=0 picks a free one). */
  readonly port: number;
  readiness(): Readiness;
  /** Stops accepting, answers what is queued, then closes models and Redis. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The composition root: Redis and the feature store (the scorer's, same key prefix and TTLs), the
 * model provider (the scorer's, hot reload and fingerprint checks), the shared BatchScorer behind
 * the micro-batcher, and the HTTP server. Starts even when Redis or the model is not there yet:
 * /readyz says which, and /v1/score answers 503 with the reason until both are.
 */
export async function createApiApp(
  config: Readonly<ApiConfig>,
  logger: Logger,
  modelSource: ModelSource = new LocalModelSource(path.resolve(config.model.registryDir)),
  options: { defaultMetrics?: boolean } = {},
): Promise<ApiApp> {
  const metrics = new ApiMetrics(options);
  const redis = createRedisClient(config.redis);
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  let lastRedisError: string | undefined;
  redis.on('error', (error: Error) => {
    if (error.message !== lastRedisError) logger.warn({ err: error }, 'redis error');
    lastRedisError = error.message;
  });
  redis.on('ready', () => {
    if (lastRedisError !== undefined) logger.info('redis connected');
    lastRedisError = undefined;
  });
  await redis.connect().catch((error: unknown) => {
    logger.error(
      { err: error, redis: config.redis.url.replace(/\/\/[^@]*@/, '//***@') },
      'redis unavailable at start; retrying',
    );
  });
  const featureStore = new RedisFeatureStore({
    redis,
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: config.redis.stateTtlSeconds,
    idempotencyTtlSeconds: config.redis.idempotencyTtlSeconds,
    timeoutMs: Math.min(config.redis.commandTimeoutMs, config.requestDeadlineMs),
  });
  const models = await ModelHolder.start({
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
    reasonCodesTopK: config.model.reasonCodesTopK,
    warmRows: config.batching.maxBatchSize,
  });
  const scorer = new BatchScorer({ featureStore, models });
  const batcher = new MicroBatcher({
    scorer,
    ...config.batching,
    onBatch: (size, durationMs, error) => {
      metrics.batchSize.observe(size);
      if (error === undefined) metrics.batchDuration.observe(durationMs / 1_000);
    },
  });
  const readiness = (): Readiness => {
    const redisOk = redis.status === 'ready';
    const modelOk = models.loaded;
    return {
      ready: redisOk && modelOk,
      checks: {
        redis: redisOk ? { ok: true } : { ok: false, detail: `redis connection ${redis.status}` },
        model: modelOk
          ? { ok: true, detail: models.current().version }
          : { ok: false, detail: models.unavailableReason ?? 'no model loaded' },
      },
    };
  };
  const server = await buildApiServer({
    config,
    verifier: new ApiKeyVerifier(config.apiKeys),
    batcher,
    metrics,
    logger,
    readiness,
  });
  try {
    await server.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await models.close();
    redis.disconnect();
    throw error;
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;

  let closing: Promise<void> | undefined;
  const close = async () => {
    // Order: stop taking requests and answer the queued ones, then the clients they used.
    const steps: ShutdownStep[] = [
      ['http', () => Promise.all([server.close(), batcher.close()])],
      ['models', () => models.close()],
      ['redis', () => redis.quit().catch(() => redis.disconnect())],
    ];
    await runShutdownSteps(steps, logger);
  };
  return {
    server,
    metrics,
    models,
    batcher,
    redis,
    port,
    readiness,
    close: () => (closing ??= close()),
  };
}
