import { describe, expect, it } from 'vitest';
import { createTopics, stackSettings, testKafka, uniqueName } from '@fraud/test-support';
import { OffsetFetchError, StableOffsetReader } from './stable-offset-fetch.ts';

// OffsetFetch v7 with require_stable against the real broker: committed offsets are read as
// they are, and a transaction's pending offsets are reported as unstable until it ends.
describe('StableOffsetReader', () => {
  it('returns committed offsets, and refuses to answer while a transaction holds pending ones', async () => {
    const settings = stackSettings();
    const kafka = testKafka(settings, 'stable-offsets');
    const topic = uniqueName('stable-offsets');
    const groupId = `${topic}.group`;
    await createTopics(kafka, [topic], 2);
    const reader = new StableOffsetReader(kafka);
    await reader.connect();
    const producer = kafka.producer({
      transactionalId: uniqueName('stable-offsets-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      expect(await reader.fetch(groupId, topic, 0)).toBe(-1n); // nothing committed yet

      const first = await producer.transaction();
      await first.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition: 0, offset: '42' }] }],
      });
      await first.commit();
      expect(await reader.fetch(groupId, topic, 0)).toBe(42n);

      const pending = await producer.transaction();
      await pending.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition: 0, offset: '99' }] }],
      });
      const error = await reader.fetch(groupId, topic, 0, 500).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OffsetFetchError);
      expect((error as OffsetFetchError).code).toBe(88); // UNSTABLE_OFFSET_COMMIT
      expect(await reader.fetch(groupId, topic, 1)).toBe(-1n); // other partitions are not held up

      // Answered as soon as the transaction ends: a fetch started before the commit waits for it.
      const waiting = reader.fetch(groupId, topic, 0, 30_000);
      await pending.commit();
      expect(await waiting).toBe(99n);
    } finally {
      await producer.disconnect();
      await reader.disconnect();
    }
  });
});
