import { z } from 'zod';
import { envNonEmpty, kafkaConnectionFromEnv, kafkaEnvShape, parseEnv, withStackEnv } from '@fraud/config';
import { TOPICS } from '@fraud/contracts';
import type { KafkaConnectionConfig } from '@fraud/kafka';

/** What the retrainer's commands take from the environment (or `.local/stack.env`). */
export interface RetrainerEnv {
  kafkaBrokers: string[];
  /** TLS and SASL (including AWS MSK IAM), with the scorer's variable names. */
  kafka?: Omit<KafkaConnectionConfig, 'brokers' | 'clientId'>;
  schemaRegistryUrl: string;
  topics: { decisions: string; labels: string };
}

/** The variables every retrainer command reads: Kafka (shared schema), registry, topics. */
export const retrainerEnvShape = {
  ...kafkaEnvShape,
  SCHEMA_REGISTRY_URL: z.url({ message: 'must be a URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7' }),
  TOPIC_DECISIONS: envNonEmpty(TOPICS.decisions),
  TOPIC_LABELS: envNonEmpty(TOPICS.labels),
};

/** Brokers, TLS/SASL, registry and topics from the parsed shared variables. */
export function retrainerEnvFrom(
  e: z.output<z.ZodObject<typeof retrainerEnvShape>>,
): RetrainerEnv & Required<Pick<RetrainerEnv, 'kafka'>> {
  const { brokers, ssl, sasl } = kafkaConnectionFromEnv(e, 'fraud-retrainer');
  return {
    kafkaBrokers: brokers,
    kafka: { ssl, sasl },
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    topics: { decisions: e.TOPIC_DECISIONS, labels: e.TOPIC_LABELS },
  };
}

/**
 * The only reader of process.env in the retrainer's commands, overlaid on .local/stack.env;
 * throws a ConfigError naming the first bad variable.
 */
export function loadRetrainerEnv(env: NodeJS.ProcessEnv = process.env): RetrainerEnv {
  return Object.freeze(retrainerEnvFrom(parseEnv(z.object(retrainerEnvShape), withStackEnv(env))));
}
