import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadStackSettings, type StackSettings } from '@fraud/config';

export type { StackSettings };

/** The stack integration tests run against: variables win over `.local/stack.env` (@fraud/config). */
export function stackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  return loadStackSettings(env);
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
