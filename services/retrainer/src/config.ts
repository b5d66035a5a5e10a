import { withStackEnv } from '@fraud/config';
import { TOPICS } from '@fraud/contracts';

/** What the retrainer's commands take from the environment (or `.local/stack.env`). */
export interface RetrainerEnv {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  topics: { decisions: string; labels: string };
}

export class RetrainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetrainerConfigError';
  }
}

/** The only reader of process.env in the retrainer. */
export function loadRetrainerEnv(env: NodeJS.ProcessEnv = process.env): RetrainerEnv {
  const e = withStackEnv(env);
  if (!e.KAFKA_BROKERS) throw new RetrainerConfigError('KAFKA_BROKERS is not set (or run `make up`)');
  if (!e.SCHEMA_REGISTRY_URL)
    throw new RetrainerConfigError('SCHEMA_REGISTRY_URL is not set (or run `make up`)');
  return Object.freeze({
    kafkaBrokers: e.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    topics: { decisions: e.TOPIC_DECISIONS ?? TOPICS.decisions, labels: e.TOPIC_LABELS ?? TOPICS.labels },
  });
}
