/**
 * The Kafka connection variables every service reads, once: brokers, TLS and SASL (including
 * AWS MSK IAM). A service spreads `kafkaEnvShape` into its own schema and turns the parsed values
 * into connection settings with `kafkaConnectionFromEnv`.
 */
import { z } from 'zod';
import { ConfigError, envBool, envBrokerList } from './env-schema.ts';

export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam'] as const;

export const kafkaEnvShape = {
  KAFKA_BROKERS: envBrokerList,
  KAFKA_SSL: envBool(false),
  /** A private CA (PEM) for the brokers' certificates. */
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SASL_MECHANISM: z
    .enum(SASL_MECHANISMS, { message: `must be one of ${SASL_MECHANISMS.join(', ')}` })
    .default('none'),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** Signs MSK IAM tokens (KAFKA_SASL_MECHANISM=aws-msk-iam). */
  AWS_REGION: z.string().optional(),
};

export type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnvShape>>;

/** What @fraud/kafka's client factory connects with (its KafkaConnectionConfig extends this). */
export interface KafkaConnectionSettings {
  brokers: string[];
  clientId: string;
  /** TLS to the brokers; `caFile` adds a private CA (PEM). */
  ssl: { enabled: boolean; caFile?: string | undefined };
  sasl:
    | { mechanism: 'none' }
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    /** AWS MSK IAM: OAUTHBEARER tokens signed with the task role's credentials. */
    | { mechanism: 'aws-msk-iam'; region: string };
}

function requireVar(e: KafkaEnv, name: 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'AWS_REGION'): string {
  const value = e[name]?.trim();
  if (!value) throw new ConfigError(name, `is required for KAFKA_SASL_MECHANISM=${e.KAFKA_SASL_MECHANISM}`);
  return value;
}

/**
 * The Kafka variables as one unit: `...kafkaEnv.shape` in a service's schema, then
 * `kafkaEnv.connection(parsed, clientId)`.
 */
export const kafkaEnv = {
  shape: kafkaEnvShape,
  connection: (e: KafkaEnv, clientId: string) => kafkaConnectionFromEnv(e, clientId),
} as const;

/** Connection settings from the parsed variables; a missing credential is a ConfigError naming it. */
export function kafkaConnectionFromEnv(e: KafkaEnv, clientId: string): KafkaConnectionSettings {
  const ssl = { enabled: e.KAFKA_SSL, caFile: e.KAFKA_SSL_CA_FILE || undefined };
  const base = { brokers: e.KAFKA_BROKERS, clientId, ssl };
  switch (e.KAFKA_SASL_MECHANISM) {
    case 'none':
      return { ...base, sasl: { mechanism: 'none' } };
    case 'aws-msk-iam':
      if (!e.KAFKA_SSL)
        throw new ConfigError(
          'KAFKA_SSL',
          'must be true with KAFKA_SASL_MECHANISM=aws-msk-iam (MSK IAM needs TLS)',
        );
      return { ...base, sasl: { mechanism: 'aws-msk-iam', region: requireVar(e, 'AWS_REGION') } };
    default:
      return {
        ...base,
        sasl: {
          mechanism: e.KAFKA_SASL_MECHANISM,
          username: requireVar(e, 'KAFKA_SASL_USERNAME'),
          password: requireVar(e, 'KAFKA_SASL_PASSWORD'),
        },
      };
  }
}
