import { z } from 'zod';
import {
  ConfigError,
  commaList,
  envBool,
  envInt,
  envLogLevel,
  envNonEmpty,
  parseEnv,
  redisEnvShape,
  type LogLevel,
} from '@fraud/config';
import { REDIS_STORE_DEFAULTS } from '@fraud/features';
import { streamFieldsEnv } from '@fraud/model';
import { MODEL_SERVING_DEFAULTS } from '@fraud/scoring';

export { ConfigError };

/** Shorter keys are guessable; 16 characters of a random token is the floor. */
export const MIN_API_KEY_LENGTH = 16;

const apiKeys = z
  .string({ message: `is required: one or more comma-separated keys of >= ${MIN_API_KEY_LENGTH} characters` })
  .transform(commaList)
  .refine((keys) => keys.length > 0, 'must name at least one key')
  .refine(
    (keys) => keys.every((k) => k.length >= MIN_API_KEY_LENGTH && /^[\x21-\x7e]+$/.test(k)),
    `every key must be >= ${MIN_API_KEY_LENGTH} printable characters without spaces`,
  );

/**
 * Every variable the API reads, with its default. The feature-store and model variables have the
 * scorer's names and must have the scorer's values: the API and the stream share one Redis state
 * and must read the same models, or they would not reach the same decision.
 */
const envSchema = z.object({
  API_HOST: envNonEmpty('127.0.0.1'),
  API_PORT: envInt(8090, 0, 65_535),
  API_KEYS: apiKeys,
  API_BODY_LIMIT_BYTES: envInt(16_384, 1_024, 1_048_576),
  API_MAX_BATCH_SIZE: envInt(64, 1, 1_024),
  API_BATCH_WAIT_MS: envInt(0, 0, 100),
  API_MAX_CONCURRENT_BATCHES: envInt(4, 1, 64),
  API_MAX_QUEUE: envInt(512, 1, 100_000),
  API_REQUEST_DEADLINE_MS: envInt(250, 5, 60_000),
  API_RETRY_AFTER_SECONDS: envInt(1, 1, 3_600),
  API_MAX_FUTURE_SKEW_MS: envInt(300_000, 0, 86_400_000),
  API_SHUTDOWN_GRACE_MS: envInt(10_000, 100, 600_000),
  API_DOCS_ENABLED: envBool(true),
  ...redisEnvShape,
  REDIS_COMMAND_TIMEOUT_MS: envInt(200, 10, 60_000),
  REDIS_STATE_TTL_SECONDS: envInt(REDIS_STORE_DEFAULTS.ttlSeconds, 86_400, 31_536_000),
  REDIS_IDEMPOTENCY_TTL_SECONDS: envInt(REDIS_STORE_DEFAULTS.idempotencyTtlSeconds, 60, 2_592_000),
  MODEL_REGISTRY_DIR: envNonEmpty('models'),
  MODEL_VERSION: z.string().optional(),
  MODEL_POLL_INTERVAL_MS: envInt(5_000, 0, 3_600_000),
  MODEL_REASON_CODES_TOP_K: envInt(MODEL_SERVING_DEFAULTS.reasonCodesTopK, 0, 64),
  // The optional Transaction fields callers send, as the scorer's STREAM_FIELDS: both paths must
  // accept the same models, or they could decide with different ones.
  STREAM_FIELDS: streamFieldsEnv(),
  LOG_LEVEL: envLogLevel,
});

export interface ApiConfig {
  http: {
    host: string;
    port: number;
    /** Larger request bodies get 413 before they are parsed. */
    bodyLimitBytes: number;
    /** Serve the OpenAPI document and the browsable page at /docs. */
    docsEnabled: boolean;
  };
  /** Accepted `Authorization: Bearer` keys. */
  apiKeys: readonly string[];
  batching: {
    /** Requests scored together in one Redis pipeline and one ONNX run; 1 = micro-batching off. */
    maxBatchSize: number;
    /** How long the first request of a batch waits for company; 0 = the requests of the same event-loop turn. */
    maxWaitMs: number;
    /** Batches in flight at once (Redis and ONNX overlap); more queue up. */
    maxConcurrentBatches: number;
    /** Requests waiting for a batch; beyond it requests are shed with 429. */
    maxQueue: number;
  };
  /** A request not answered by then gets 503 deadline_exceeded (it may still have been scored). */
  requestDeadlineMs: number;
  /** Retry-After on 429 and 503. */
  retryAfterSeconds: number;
  maxFutureSkewMs: number;
  shutdownGraceMs: number;
  redis: {
    url: string;
    /** REDIS_PASSWORD: the AUTH token; unset = none, or the one in the URL. */
    password: string | undefined;
    cluster: boolean;
    keyPrefix: string;
    commandTimeoutMs: number;
    stateTtlSeconds: number;
    idempotencyTtlSeconds: number;
  };
  model: {
    registryDir: string;
    /** Pins the champion; unset = the registry's champion, followed live. */
    version?: string | undefined;
    /** How often the registry is re-read (and, with no model yet, a load retried); 0 = never. */
    pollIntervalMs: number;
    reasonCodesTopK: number;
    /** Optional Transaction fields callers provide (STREAM_FIELDS); models needing others are refused. */
    streamFields: readonly string[];
  };
  logLevel: LogLevel;
}

/**
 * Reads and validates the API's configuration. The only reader of process.env; returns a frozen
 * object or throws a ConfigError naming the first bad variable.
 */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ApiConfig> {
  const e = parseEnv(envSchema, env);
  const config: ApiConfig = {
    http: {
      host: e.API_HOST,
      port: e.API_PORT,
      bodyLimitBytes: e.API_BODY_LIMIT_BYTES,
      docsEnabled: e.API_DOCS_ENABLED,
    },
    apiKeys: Object.freeze([...new Set(e.API_KEYS)]),
    batching: {
      maxBatchSize: e.API_MAX_BATCH_SIZE,
      maxWaitMs: e.API_BATCH_WAIT_MS,
      maxConcurrentBatches: e.API_MAX_CONCURRENT_BATCHES,
      maxQueue: e.API_MAX_QUEUE,
    },
    requestDeadlineMs: e.API_REQUEST_DEADLINE_MS,
    retryAfterSeconds: e.API_RETRY_AFTER_SECONDS,
    maxFutureSkewMs: e.API_MAX_FUTURE_SKEW_MS,
    shutdownGraceMs: e.API_SHUTDOWN_GRACE_MS,
    redis: {
      url: e.REDIS_URL,
      password: e.REDIS_PASSWORD,
      cluster: e.REDIS_CLUSTER,
      keyPrefix: e.REDIS_KEY_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      stateTtlSeconds: e.REDIS_STATE_TTL_SECONDS,
      idempotencyTtlSeconds: e.REDIS_IDEMPOTENCY_TTL_SECONDS,
    },
    model: {
      registryDir: e.MODEL_REGISTRY_DIR,
      version: e.MODEL_VERSION,
      pollIntervalMs: e.MODEL_POLL_INTERVAL_MS,
      reasonCodesTopK: e.MODEL_REASON_CODES_TOP_K,
      streamFields: e.STREAM_FIELDS,
    },
    logLevel: e.LOG_LEVEL,
  };
  return Object.freeze(config);
}
