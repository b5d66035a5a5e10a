import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** @default 1 (local stack); 3 on MSK */
  replicationFactor?: number;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.numPartitions,
          replicationFactor: spec.replicationFactor ?? 1,
        })),
      });
    }
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}
