import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTopics, stackSettings, testKafka, uniqueName } from '@fraud/test-support';

// Proves the local stack end to end: the schema registry speaks the Confluent API to the
// official client, Kafka transactions commit and abort, and Redis runs Lua.
describe('local stack', () => {
  const settings = stackSettings();
  let kafka: Kafka;

  beforeAll(() => {
    kafka = testKafka(settings, 'stack-test');
  });

  it('round-trips an Avro record through the registry and a Kafka transaction; aborted ones stay hidden', async () => {
    const topic = uniqueName('stack-roundtrip');
    await createTopics(kafka, [topic]);
    const registry = new SchemaRegistry({ host: settings.schemaRegistryUrl });
    const schema = {
      type: 'record',
      name: 'Ping',
      namespace: `test.${topic.replace(/[^a-zA-Z0-9]/g, '_')}`,
      fields: [
        { name: 'id', type: 'string' },
        { name: 'n', type: 'int' },
      ],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-value` },
    );
    expect(id).toBeGreaterThan(0);

    const producer = kafka.producer({
      transactionalId: uniqueName('stack-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({
      topic,
      messages: [{ key: 'a', value: await registry.encode(id, { id: 'kept', n: 1 }) }],
    });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      messages: [{ key: 'b', value: await registry.encode(id, { id: 'aborted', n: 2 }) }],
    });
    await aborted.abort();
    const marker = await producer.transaction();
    await marker.send({
      topic,
      messages: [{ key: 'c', value: await registry.encode(id, { id: 'last', n: 3 }) }],
    });
    await marker.commit();
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('stack-group'), readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; saw ${JSON.stringify(seen)}`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const decoded = (await registry.decode(message.value!)) as { id: string };
            seen.push(decoded.id);
            if (decoded.id === 'last') {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen).toEqual(['kept', 'last']);
  });

  it('runs a Lua script on Redis', async () => {
    const redis = new Redis(settings.redisUrl);
    const key = `${uniqueName('stack')}:{k}`;
    try {
      const result = await redis.eval(
        "redis.call('SET', KEYS[1], ARGV[1], 'EX', 60); return redis.call('INCRBY', KEYS[1], ARGV[2])",
        1,
        key,
        '40',
        '2',
      );
      expect(result).toBe(42);
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });
});
