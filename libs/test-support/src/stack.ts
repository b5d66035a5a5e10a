import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { withStackEnv } from '@fraud/config';

export interface StackSettings {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  redisUrl: string;
}

/** The stack integration tests run against: variables win over `.local/stack.env`. */
export function stackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const merged = withStackEnv(env);
  const missing = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL'].filter((k) => !merged[k]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need ${missing.join(', ')}: run \`make up\` (writes .local/stack.env) or export them`,
    );
  }
  return {
    kafkaBrokers: merged.KAFKA_BROKERS!.split(',').map((b) => b.trim()),
    schemaRegistryUrl: merged.SCHEMA_REGISTRY_URL!,
    redisUrl: merged.REDIS_URL!,
  };
}

/** A name no other test (or earlier run) uses: topics, groups, transactional ids, key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function testKafka(settings = stackSettings(), clientId = 'test'): Kafka {
  return new Kafka({ clientId, brokers: settings.kafkaBrokers, logLevel: logLevel.NOTHING });
}

/** Creates topics and waits until their leaders are known, so producing right after works. */
export async function createTopics(kafka: Kafka, topics: string[], numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
