/**
 * Where the shared stack is: the one reader of its variables for every entry point that is not a
 * service with its own schema (simulator, load tests, test support, baselines).
 */
import { z } from 'zod';
import { ConfigError, envBool, envBrokerList, envNonEmpty, parseEnv } from './env-schema.ts';
import { withStackEnv } from './stack-env.ts';

/** REDIS_URL: redis://host:port or rediss://[user:pass@]host:port. */
export const envRedisUrl = z
  .string({ message: 'is required' })
  .regex(/^rediss?:\/\/[^\s]+$/, 'must be redis://host:port or rediss://host:port');

/** REDIS_PASSWORD: the AUTH token (Terraform injects it as a secret); wins over one in REDIS_URL. */
export const envRedisPassword = z.string().min(1).optional();

/** The Redis connection variables the scorer and the API share (same state, same client rules). */
export const redisEnvShape = {
  REDIS_URL: envRedisUrl,
  REDIS_PASSWORD: envRedisPassword,
  REDIS_CLUSTER: envBool(false),
  /** Namespace of every feature-store key; the scorer and the API must agree on it. */
  REDIS_KEY_PREFIX: envNonEmpty('fs'),
};

const kafkaAndRegistry = {
  KAFKA_BROKERS: envBrokerList,
  SCHEMA_REGISTRY_URL: z.url({ message: 'must be a URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7' }),
};
const fullSchema = z.object({
  ...kafkaAndRegistry,
  REDIS_URL: envRedisUrl,
  REDIS_PASSWORD: envRedisPassword,
});
const kafkaOnlySchema = z.object(kafkaAndRegistry);

export interface KafkaStackSettings {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
}

export interface StackSettings extends KafkaStackSettings {
  redisUrl: string;
  /** REDIS_PASSWORD when set: unset locally, a Secrets Manager secret in AWS. */
  redisPassword?: string | undefined;
}

const HINT = 'run `make up` (it writes .local/stack.env) or export it';

function parseStack<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  try {
    return parseEnv(schema, withStackEnv(env));
  } catch (error) {
    if (error instanceof ConfigError && /is required/.test(error.message))
      throw new ConfigError(error.variable, `is required: ${HINT}`);
    throw error;
  }
}

/**
 * The stack's endpoints from the environment overlaid on `.local/stack.env` (variables win).
 * Throws a ConfigError naming the first missing or malformed variable. `{ redis: false }` for
 * entry points that only talk to Kafka and the registry (the simulator).
 */
export function loadStackSettings(env?: NodeJS.ProcessEnv): StackSettings;
export function loadStackSettings(
  env: NodeJS.ProcessEnv | undefined,
  options: { redis: false },
): KafkaStackSettings;
export function loadStackSettings(
  env: NodeJS.ProcessEnv = process.env,
  options: { redis?: boolean } = {},
): StackSettings | KafkaStackSettings {
  if (options.redis === false) {
    const e = parseStack(kafkaOnlySchema, env);
    return { kafkaBrokers: e.KAFKA_BROKERS, schemaRegistryUrl: e.SCHEMA_REGISTRY_URL };
  }
  const e = parseStack(fullSchema, env);
  return {
    kafkaBrokers: e.KAFKA_BROKERS,
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    redisUrl: e.REDIS_URL,
    redisPassword: e.REDIS_PASSWORD,
  };
}
