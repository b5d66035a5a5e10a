import { hostname } from 'node:os';
import { z } from 'zod';
import {
  ConfigError,
  envBool,
  envInt,
  envLogLevel,
  envNonEmpty,
  kafkaEnv,
  parseEnv,
  redisEnvShape,
  type LogLevel,
} from '@fraud/config';
import { TOPICS } from '@fraud/contracts';
import type { KafkaConnectionConfig } from '@fraud/kafka';
import { REDIS_STORE_DEFAULTS } from '@fraud/features';
import { streamFieldsEnv } from '@fraud/model';
import { MODEL_SERVING_DEFAULTS } from '@fraud/scoring';

export { ConfigError };

/** Every variable the scorer reads, with its default. The names are the operator's interface. */
const envSchema = z.object({
  ...kafkaEnv.shape,
  KAFKA_CLIENT_ID: envNonEmpty('fraud-scorer'),
  SCHEMA_REGISTRY_URL: z.url({ message: 'must be a URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7' }),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  ...redisEnvShape,
  REDIS_COMMAND_TIMEOUT_MS: envInt(2_000, 50, 60_000),
  REDIS_STATE_TTL_SECONDS: envInt(REDIS_STORE_DEFAULTS.ttlSeconds, 86_400, 31_536_000),
  REDIS_IDEMPOTENCY_TTL_SECONDS: envInt(REDIS_STORE_DEFAULTS.idempotencyTtlSeconds, 60, 2_592_000),
  TOPIC_TRANSACTIONS: envNonEmpty(TOPICS.transactions),
  TOPIC_DECISIONS: envNonEmpty(TOPICS.decisions),
  TOPIC_ALERTS: envNonEmpty(TOPICS.alerts),
  TOPIC_DLQ: envNonEmpty(TOPICS.transactionsDlq),
  SCORER_GROUP_ID: envNonEmpty('fraud-scorer'),
  SCORER_INSTANCE_ID: envNonEmpty(hostname()),
  SCORER_TRANSACTIONAL_ID_PREFIX: z.string().min(1).optional(),
  SCORER_PARTITIONS_CONCURRENTLY: envInt(6, 1, 64),
  SCORER_MAX_BATCH_SIZE: envInt(512, 1, 10_000),
  SCORER_COMMIT_INTERVAL_MS: envInt(20, 0, 1_000),
  SCORER_COMMIT_MAX_RECORDS: envInt(4_096, 1, 100_000),
  SCORER_MAX_BYTES_PER_PARTITION: envInt(1_048_576, 1_024, 104_857_600),
  SCORER_CREATE_TOPICS: envBool(false),
  SCORER_TOPIC_PARTITIONS: envInt(6, 1, 1_000),
  SCORER_MAX_FUTURE_SKEW_MS: envInt(300_000, 0, 86_400_000),
  SCORER_FEATURE_LOG: z.enum(['decision', 'off'], { message: 'must be decision or off' }).default('decision'),
  SCORER_HTTP_HOST: envNonEmpty('127.0.0.1'),
  SCORER_HTTP_PORT: envInt(9464, 0, 65_535),
  SCORER_SHUTDOWN_GRACE_MS: envInt(20_000, 100, 600_000),
  SCORER_RETRY_MAX_BACKOFF_MS: envInt(5_000, 10, 300_000),
  SCORER_SESSION_TIMEOUT_MS: envInt(6_000, 6_000, 300_000),
  SCORER_HEARTBEAT_INTERVAL_MS: envInt(1_000, 100, 60_000),
  SCORER_TRANSACTION_TIMEOUT_MS: envInt(30_000, 1_000, 900_000),
  SCORER_STARTUP_TIMEOUT_MS: envInt(30_000, 0, 600_000),
  MODEL_REGISTRY_DIR: envNonEmpty('models'),
  MODEL_VERSION: z.string().optional(),
  MODEL_POLL_INTERVAL_MS: envInt(5_000, 0, 3_600_000),
  MODEL_REASON_CODES_TOP_K: envInt(MODEL_SERVING_DEFAULTS.reasonCodesTopK, 0, 64),
  MODEL_SHADOW_ENABLED: envBool(true),
  MODEL_AGREEMENT_WINDOW: envInt(10_000, 10, 10_000_000),
  // The optional Transaction fields the upstream sends; a model reading any other is refused.
  STREAM_FIELDS: streamFieldsEnv(),
  LOG_LEVEL: envLogLevel,
});

export interface ScorerConfig {
  kafka: KafkaConnectionConfig;
  schemaRegistry: { url: string; auth?: { username: string; password: string } | undefined };
  redis: {
    url: string;
    /** REDIS_PASSWORD: the AUTH token; unset = none, or the one in the URL. */
    password: string | undefined;
    cluster: boolean;
    keyPrefix: string;
    commandTimeoutMs: number;
    /** Account state lives this long after the account's last activity (>= the 24 h feature horizon). */
    stateTtlSeconds: number;
    /** How long a transaction id's first features are remembered: the redelivery window covered. */
    idempotencyTtlSeconds: number;
  };
  topics: { transactions: string; decisions: string; alerts: string; dlq: string };
  /** Partitions for topics the scorer creates itself (SCORER_CREATE_TOPICS, local use). */
  topicPartitions: number;
  createTopics: boolean;
  groupId: string;
  instanceId: string;
  /** Partition P of topic T commits with transactional id `<prefix>-<T>-<P>`, whichever replica owns it. */
  transactionalIdPrefix: string;
  partitionsConsumedConcurrently: number;
  maxBatchSize: number;
  /**
   * Adaptive group commit: the longest a scored record waits for the transaction that publishes
   * its decision (0 = one transaction per chunk), and the records that commit a group at once.
   */
  commit: { intervalMs: number; maxRecords: number };
  maxBytesPerPartition: number;
  maxFutureSkewMs: number;
  /** `decision`: each decision record carries the feature vector the model saw; `off`: null. */
  featureLog: 'decision' | 'off';
  http: { host: string; port: number };
  shutdownGraceMs: number;
  retryMaxBackoffMs: number;
  /** A silent member is dropped after this long and its partitions move: the takeover time after a crash. */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** The broker aborts a transaction left open this long (a frozen owner with nobody to fence it). */
  transactionTimeoutMs: number;
  /** How long start-up waits for missing topics before exiting non-zero. */
  startupTimeoutMs: number;
  model: {
    registryDir: string;
    /** Pins the champion (no champion hot reload); unset = the registry's champion, followed live. */
    version?: string | undefined;
    /** How often the registry is re-read for a new champion or challenger; 0 = never (load once). */
    pollIntervalMs: number;
    /** Reason codes per flagged transaction (TreeSHAP); 0 = none. */
    reasonCodesTopK: number;
    /** Score the registry's challenger in shadow; false = ignore it (saves its inference cost). */
    shadowEnabled: boolean;
    /** Transactions in the rolling champion/challenger agreement window. */
    agreementWindow: number;
    /** Optional Transaction fields the stream provides (STREAM_FIELDS); models needing others are refused. */
    streamFields: readonly string[];
  };
  logLevel: LogLevel;
}

/**
 * Reads and validates the scorer's configuration. The only reader of process.env; returns a
 * frozen object or throws a ConfigError naming the first bad variable.
 */
export function loadScorerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ScorerConfig> {
  const e = parseEnv(envSchema, env);
  const kafka = kafkaEnv.connection(e, e.KAFKA_CLIENT_ID);
  if ((e.SCHEMA_REGISTRY_USERNAME === undefined) !== (e.SCHEMA_REGISTRY_PASSWORD === undefined)) {
    throw new ConfigError(
      'SCHEMA_REGISTRY_PASSWORD',
      'SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together',
    );
  }
  const config: ScorerConfig = {
    kafka,
    schemaRegistry: {
      url: e.SCHEMA_REGISTRY_URL,
      auth:
        e.SCHEMA_REGISTRY_USERNAME && e.SCHEMA_REGISTRY_PASSWORD
          ? { username: e.SCHEMA_REGISTRY_USERNAME, password: e.SCHEMA_REGISTRY_PASSWORD }
          : undefined,
    },
    redis: {
      url: e.REDIS_URL,
      password: e.REDIS_PASSWORD,
      cluster: e.REDIS_CLUSTER,
      keyPrefix: e.REDIS_KEY_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      stateTtlSeconds: e.REDIS_STATE_TTL_SECONDS,
      idempotencyTtlSeconds: e.REDIS_IDEMPOTENCY_TTL_SECONDS,
    },
    topics: {
      transactions: e.TOPIC_TRANSACTIONS,
      decisions: e.TOPIC_DECISIONS,
      alerts: e.TOPIC_ALERTS,
      dlq: e.TOPIC_DLQ,
    },
    topicPartitions: e.SCORER_TOPIC_PARTITIONS,
    createTopics: e.SCORER_CREATE_TOPICS,
    groupId: e.SCORER_GROUP_ID,
    instanceId: e.SCORER_INSTANCE_ID,
    transactionalIdPrefix: e.SCORER_TRANSACTIONAL_ID_PREFIX ?? e.SCORER_GROUP_ID,
    partitionsConsumedConcurrently: e.SCORER_PARTITIONS_CONCURRENTLY,
    maxBatchSize: e.SCORER_MAX_BATCH_SIZE,
    commit: { intervalMs: e.SCORER_COMMIT_INTERVAL_MS, maxRecords: e.SCORER_COMMIT_MAX_RECORDS },
    maxBytesPerPartition: e.SCORER_MAX_BYTES_PER_PARTITION,
    maxFutureSkewMs: e.SCORER_MAX_FUTURE_SKEW_MS,
    featureLog: e.SCORER_FEATURE_LOG,
    http: { host: e.SCORER_HTTP_HOST, port: e.SCORER_HTTP_PORT },
    shutdownGraceMs: e.SCORER_SHUTDOWN_GRACE_MS,
    retryMaxBackoffMs: e.SCORER_RETRY_MAX_BACKOFF_MS,
    sessionTimeoutMs: e.SCORER_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: e.SCORER_HEARTBEAT_INTERVAL_MS,
    transactionTimeoutMs: e.SCORER_TRANSACTION_TIMEOUT_MS,
    startupTimeoutMs: e.SCORER_STARTUP_TIMEOUT_MS,
    model: {
      registryDir: e.MODEL_REGISTRY_DIR,
      version: e.MODEL_VERSION,
      pollIntervalMs: e.MODEL_POLL_INTERVAL_MS,
      reasonCodesTopK: e.MODEL_REASON_CODES_TOP_K,
      shadowEnabled: e.MODEL_SHADOW_ENABLED,
      agreementWindow: e.MODEL_AGREEMENT_WINDOW,
      streamFields: e.STREAM_FIELDS,
    },
    logLevel: e.LOG_LEVEL,
  };
  return Object.freeze(config);
}
