import type { Kafka, KafkaMessage } from 'kafkajs';

export interface ReadBounds {
  /** Stop after this long even when not caught up. @default 120000 */
  maxMs?: number;
  /** Stop after this many records of all topics together. @default 10000000 */
  maxRecords?: number;
  /** Stop after this long without a record once something was read. @default 5000 */
  idleMs?: number;
}

export interface ReadSummary {
  records: number;
  /** True when every partition was read up to the end offsets seen at the start. */
  caughtUp: boolean;
  /** Topics that do not exist (read as empty). */
  missingTopics: string[];
}

/**
 * Reads topics from the beginning up to their end offsets at the start (later records are out of
 * scope), read_committed, in a throwaway consumer group that commits nothing. Bounded in time and
 * records: a reader never hangs on a busy topic.
 */
export async function readTopicsToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onMessage: (topic: string, partition: number, message: KafkaMessage) => Promise<void> | void,
  bounds: ReadBounds = {},
): Promise<ReadSummary> {
  const maxMs = bounds.maxMs ?? 120_000;
  const maxRecords = bounds.maxRecords ?? 10_000_000;
  const idleMs = bounds.idleMs ?? 5_000;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  const missingTopics: string[] = [];
  const present: string[] = [];
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics) {
      if (!existing.has(topic)) {
        missingTopics.push(topic);
        continue;
      }
      present.push(topic);
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return { records: 0, caughtUp: true, missingTopics };

  const seen = new Map<string, number>();
  let records = 0;
  let lastRecordAt = Date.now();
  let failure: Error | undefined;
  const consumer = kafka.consumer({
    groupId: `reader-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    readUncommitted: false,
    maxBytesPerPartition: 4 << 20,
  });
  await consumer.connect();
  // A transactional topic ends with a commit marker: the last record sits at end - 2 or end - 1.
  const caughtUp = (): boolean => [...ends].every(([key, end]) => (seen.get(key) ?? -1) >= end - 2);
  try {
    await consumer.subscribe({ topics: present, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (records >= maxRecords || failure) return;
          const end = ends.get(`${batch.topic}/${batch.partition}`);
          if (end === undefined || Number(message.offset) >= end) continue;
          records += 1;
          lastRecordAt = Date.now();
          seen.set(`${batch.topic}/${batch.partition}`, Number(message.offset));
          try {
            await onMessage(batch.topic, batch.partition, message);
          } catch (error) {
            failure = error instanceof Error ? error : new Error('record handler failed', { cause: error });
            return;
          }
        }
        if (batch.messages.length > 0) {
          const last = batch.messages.at(-1)!;
          seen.set(
            `${batch.topic}/${batch.partition}`,
            Math.max(seen.get(`${batch.topic}/${batch.partition}`) ?? -1, Number(last.offset)),
          );
        }
      },
    });
    const started = Date.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (failure) throw failure;
      const now = Date.now();
      if (caughtUp() || records >= maxRecords || now - started > maxMs) break;
      if (records > 0 && now - lastRecordAt > idleMs) break;
    }
  } finally {
    await consumer.disconnect();
  }
  return { records, caughtUp: caughtUp(), missingTopics };
}
