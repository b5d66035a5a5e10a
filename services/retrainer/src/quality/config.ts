import { z } from 'zod';
import { withStackEnv } from '@fraud/config';
import { TOPICS } from '@fraud/contracts';
import type { KafkaConnectionConfig } from '@fraud/kafka';
import { RetrainerConfigError, kafkaSecurity } from '../config.ts';

const envSchema = z.object({
  KAFKA_BROKERS: z.string().min(1, 'must be host:port[,host:port]'),
  SCHEMA_REGISTRY_URL: z.url({ message: 'must be a URL' }),
  TOPIC_DECISIONS: z.string().min(1).default(TOPICS.decisions),
  TOPIC_LABELS: z.string().min(1).default(TOPICS.labels),
  MODEL_REGISTRY_DIR: z.string().min(1).default('models'),
  QUALITY_MAX_TRANSACTIONS: z.coerce.number().int().min(1_000).max(50_000_000).default(1_000_000),
  QUALITY_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  QUALITY_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface QualityConfig {
  kafkaBrokers: string[];
  kafka: Omit<KafkaConnectionConfig, 'brokers' | 'clientId'>;
  schemaRegistryUrl: string;
  topics: { decisions: string; labels: string };
  modelRegistryDir: string;
  maxTransactions: number;
  http: { host: string; port: number };
  logLevel: string;
}

export class QualityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QualityConfigError';
  }
}

/** The live-quality exporter's settings; a bad value fails at start naming the variable. */
export function loadQualityConfig(env: NodeJS.ProcessEnv = process.env): Readonly<QualityConfig> {
  const merged = withStackEnv(env);
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new QualityConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const e = parsed.data;
  let kafka;
  try {
    kafka = kafkaSecurity(merged);
  } catch (error) {
    if (error instanceof RetrainerConfigError) throw new QualityConfigError(error.message);
    throw error;
  }
  return Object.freeze({
    kafka,
    kafkaBrokers: e.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    topics: { decisions: e.TOPIC_DECISIONS, labels: e.TOPIC_LABELS },
    modelRegistryDir: e.MODEL_REGISTRY_DIR,
    maxTransactions: e.QUALITY_MAX_TRANSACTIONS,
    http: { host: e.QUALITY_HTTP_HOST, port: e.QUALITY_HTTP_PORT },
    logLevel: e.LOG_LEVEL,
  });
}
