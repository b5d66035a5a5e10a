import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import type { RetrainerEnv } from './config.ts';

/** Kafka and registry clients for one command run (read-only use: no producer). */
export function createClients(
  env: RetrainerEnv,
  clientId: string,
): { kafka: Kafka; registry: SchemaRegistry } {
  return {
    kafka: new Kafka({ clientId, brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }),
    registry: new SchemaRegistry({ host: env.schemaRegistryUrl }),
  };
}
