import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { createKafka } from '@fraud/kafka';
import type { RetrainerEnv } from './config.ts';

/** Kafka (TLS/SASL/MSK IAM as configured) and registry clients for one command run. */
export function createClients(
  env: RetrainerEnv,
  clientId: string,
): { kafka: Kafka; registry: SchemaRegistry } {
  return {
    kafka: createKafka({
      brokers: env.kafkaBrokers,
      clientId,
      ...(env.kafka ?? { ssl: { enabled: false }, sasl: { mechanism: 'none' as const } }),
    }),
    registry: new SchemaRegistry({ host: env.schemaRegistryUrl }),
  };
}
