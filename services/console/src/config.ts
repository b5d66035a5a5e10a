import path from 'node:path';
import { z } from 'zod';
import { ConfigError, envBool, envInt, envLogLevel, envNonEmpty, kafkaEnv, parseEnv } from '@fraud/config';
import { TOPICS } from '@fraud/contracts';
import type { KafkaConnectionConfig } from '@fraud/kafka';

export { ConfigError };

const urlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((u) => /^https?:\/\/\S+$/.test(u)), 'must be http(s) URLs, comma-separated');

/** Every variable the console reads, with its default. The names are the operator's interface. */
const envSchema = z.object({
  CONSOLE_HOST: envNonEmpty('127.0.0.1'),
  CONSOLE_PORT: envInt(8080, 0, 65_535),
  /** Behind a TLS-terminating proxy set CONSOLE_TRUST_PROXY=true so `auto` cookies become Secure. */
  CONSOLE_TRUST_PROXY: envBool(false),
  CONSOLE_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CONSOLE_SESSION_TTL_MINUTES: envInt(12 * 60, 5, 30 * 24 * 60),
  /** Sign-in attempts one client address may make per minute before it gets 429. */
  CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: envInt(10, 1, 10_000),
  CONSOLE_ADMIN_EMAIL: z.email({ message: 'must be an email address' }).optional(),
  CONSOLE_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  CONSOLE_DATA_DIR: envNonEmpty('.local/console'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be postgres://user:pass@host:port/db (unset = SQLite)')
    .optional(),
  CONSOLE_PAGE_SIZE: envInt(50, 5, 500),
  CONSOLE_REFRESH_MS: envInt(5_000, 0, 600_000),
  CONSOLE_GROUP_ID: envNonEmpty('fraud-console'),
  CONSOLE_INGEST: envBool(true),
  CONSOLE_RELAY: envBool(true),
  CONSOLE_CREATE_TOPICS: envBool(false),
  CONSOLE_CONTEXT_RETENTION_HOURS: envInt(7 * 24, 1, 24 * 3_650),
  CONSOLE_TOPIC_PARTITIONS: envInt(6, 1, 1_000),
  CONSOLE_TRANSACTIONAL_ID: envNonEmpty('fraud-console-outbox'),
  CONSOLE_SCORER_METRICS_URLS: urlList('http://127.0.0.1:9464/metrics'),
  CONSOLE_PROMETHEUS_URL: z.url({ message: 'must be a URL' }).optional(),
  CONSOLE_SHUTDOWN_GRACE_MS: envInt(15_000, 100, 600_000),
  ...kafkaEnv.shape,
  KAFKA_CLIENT_ID: envNonEmpty('fraud-console'),
  SCHEMA_REGISTRY_URL: z.url({ message: 'must be a URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7' }),
  TOPIC_DECISIONS: envNonEmpty(TOPICS.decisions),
  TOPIC_ALERTS: envNonEmpty(TOPICS.alerts),
  TOPIC_LABELS: envNonEmpty(TOPICS.labels),
  TOPIC_CONSOLE_DLQ: envNonEmpty('fraud.console.dlq'),
  MODEL_REGISTRY_DIR: envNonEmpty('models'),
  LOG_LEVEL: envLogLevel,
});

export interface ConsoleConfig {
  http: { host: string; port: number; trustProxy: boolean };
  cookieSecure: 'auto' | boolean;
  /** Unset: a random secret is generated once and kept in the database. */
  sessionSecret: string | undefined;
  sessionTtlMs: number;
  /** Sign-in attempts per client address per minute (brute-force guard). */
  loginAttemptsPerMinute: number;
  admin: { email: string; password: string } | undefined;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  pageSize: number;
  /** Live refresh interval of the queue page; 0 = off. */
  refreshMs: number;
  kafka: KafkaConnectionConfig;
  schemaRegistryUrl: string;
  topics: { decisions: string; alerts: string; labels: string; dlq: string };
  groupId: string;
  ingest: boolean;
  relay: boolean;
  /** Create missing topics at start (local use; production topics come from infrastructure code). */
  createTopics: boolean;
  topicPartitions: number;
  /** Decisions and labels older than this are pruned (alerts, verdicts, audit are kept). */
  contextRetentionMs: number;
  transactionalId: string;
  scorerMetricsUrls: string[];
  prometheusUrl: string | undefined;
  modelRegistryDir: string;
  /** From SIGTERM (or a fatal error) to everything closed; past it the process exits 1. */
  shutdownGraceMs: number;
  logLevel: z.output<typeof envLogLevel>;
}

/**
 * Reads and validates the console's configuration: the only reader of process.env. Returns a
 * frozen object or throws a ConfigError naming the first bad variable.
 */
export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ConsoleConfig> {
  const e = parseEnv(envSchema, env);
  if ((e.CONSOLE_ADMIN_EMAIL === undefined) !== (e.CONSOLE_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'CONSOLE_ADMIN_PASSWORD',
      'CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD go together',
    );
  }
  const config: ConsoleConfig = {
    http: { host: e.CONSOLE_HOST, port: e.CONSOLE_PORT, trustProxy: e.CONSOLE_TRUST_PROXY },
    cookieSecure: e.CONSOLE_COOKIE_SECURE === 'auto' ? 'auto' : e.CONSOLE_COOKIE_SECURE === 'true',
    sessionSecret: e.CONSOLE_SESSION_SECRET,
    sessionTtlMs: e.CONSOLE_SESSION_TTL_MINUTES * 60_000,
    loginAttemptsPerMinute: e.CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE,
    admin:
      e.CONSOLE_ADMIN_EMAIL && e.CONSOLE_ADMIN_PASSWORD
        ? { email: e.CONSOLE_ADMIN_EMAIL.toLowerCase(), password: e.CONSOLE_ADMIN_PASSWORD }
        : undefined,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'sqlite', file: path.join(e.CONSOLE_DATA_DIR, 'console.db') },
    pageSize: e.CONSOLE_PAGE_SIZE,
    refreshMs: e.CONSOLE_REFRESH_MS,
    kafka: kafkaEnv.connection(e, e.KAFKA_CLIENT_ID),
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    topics: {
      decisions: e.TOPIC_DECISIONS,
      alerts: e.TOPIC_ALERTS,
      labels: e.TOPIC_LABELS,
      dlq: e.TOPIC_CONSOLE_DLQ,
    },
    groupId: e.CONSOLE_GROUP_ID,
    ingest: e.CONSOLE_INGEST,
    relay: e.CONSOLE_RELAY,
    createTopics: e.CONSOLE_CREATE_TOPICS,
    topicPartitions: e.CONSOLE_TOPIC_PARTITIONS,
    contextRetentionMs: e.CONSOLE_CONTEXT_RETENTION_HOURS * 3_600_000,
    transactionalId: e.CONSOLE_TRANSACTIONAL_ID,
    scorerMetricsUrls: e.CONSOLE_SCORER_METRICS_URLS,
    prometheusUrl: e.CONSOLE_PROMETHEUS_URL,
    modelRegistryDir: e.MODEL_REGISTRY_DIR,
    shutdownGraceMs: e.CONSOLE_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
  };
  return Object.freeze(config);
}
