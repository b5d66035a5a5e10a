import { withStackEnv } from '@fraud/config';
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

export class RetrainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetrainerConfigError';
  }
}

function required(e: NodeJS.ProcessEnv, name: string): string {
  const value = e[name]?.trim();
  if (!value) throw new RetrainerConfigError(`${name} is not set`);
  return value;
}

/** KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM (+ KAFKA_SASL_USERNAME/PASSWORD or AWS_REGION). */
export function kafkaSecurity(e: NodeJS.ProcessEnv): Omit<KafkaConnectionConfig, 'brokers' | 'clientId'> {
  const sslValue = (e.KAFKA_SSL ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(sslValue))
    throw new RetrainerConfigError('KAFKA_SSL must be true or false');
  const ssl = { enabled: sslValue === 'true' || sslValue === '1', caFile: e.KAFKA_SSL_CA_FILE || undefined };
  const mechanism = e.KAFKA_SASL_MECHANISM ?? 'none';
  switch (mechanism) {
    case 'none':
      return { ssl, sasl: { mechanism: 'none' } };
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      return {
        ssl,
        sasl: {
          mechanism,
          username: required(e, 'KAFKA_SASL_USERNAME'),
          password: required(e, 'KAFKA_SASL_PASSWORD'),
        },
      };
    case 'aws-msk-iam':
      if (!ssl.enabled)
        throw new RetrainerConfigError('KAFKA_SASL_MECHANISM=aws-msk-iam needs KAFKA_SSL=true');
      return { ssl, sasl: { mechanism, region: required(e, 'AWS_REGION') } };
    default:
      throw new RetrainerConfigError(
        `KAFKA_SASL_MECHANISM must be none, plain, scram-sha-256, scram-sha-512 or aws-msk-iam, got "${mechanism}"`,
      );
  }
}

/** The only reader of process.env in the retrainer's commands. */
export function loadRetrainerEnv(env: NodeJS.ProcessEnv = process.env): RetrainerEnv {
  const e = withStackEnv(env);
  if (!e.KAFKA_BROKERS) throw new RetrainerConfigError('KAFKA_BROKERS is not set (or run `make up`)');
  if (!e.SCHEMA_REGISTRY_URL)
    throw new RetrainerConfigError('SCHEMA_REGISTRY_URL is not set (or run `make up`)');
  return Object.freeze({
    kafkaBrokers: e.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    kafka: kafkaSecurity(e),
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    topics: { decisions: e.TOPIC_DECISIONS ?? TOPICS.decisions, labels: e.TOPIC_LABELS ?? TOPICS.labels },
  });
}
