/**
 * `make smoke`: proves the local stack with one Transaction: registry registration, a
 * transactional produce, a read_committed consume and decode, and a Redis Lua round trip.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import { ContractSerde, TOPICS, type Transaction } from '@fraud/contracts';
import { createTopics, stackSettings, testKafka, uniqueName } from '@fraud/test-support';

const settings = stackSettings();
const topic = uniqueName(`smoke.${TOPICS.transactions}`);
const kafka = testKafka(settings, 'smoke');
const serde = new ContractSerde<Transaction>(
  new SchemaRegistry({ host: settings.schemaRegistryUrl }),
  'transaction',
);

await createTopics(kafka, [topic]);
const schemaId = await serde.registerWriter(`${topic}-value`);
console.log(`registered Transaction as schema id ${schemaId} at ${settings.schemaRegistryUrl}`);

const tx: Transaction = {
  transactionId: uniqueName('tx'),
  eventTime: Date.now(),
  type: 'TRANSFER',
  amountMinor: 12_345,
  currency: 'USD',
  originAccountId: 'C-smoke-1',
  destinationAccountId: 'C-smoke-2',
  channel: 'MOBILE_APP',
  deviceId: null,
  countryCode: null,
  merchantCategory: null,
  originBalanceBeforeMinor: 50_000,
  originBalanceAfterMinor: 37_655,
  destinationBalanceBeforeMinor: null,
  destinationBalanceAfterMinor: null,
};
const producer = kafka.producer({
  transactionalId: uniqueName('smoke-tx'),
  idempotent: true,
  maxInFlightRequests: 1,
});
await producer.connect();
const transaction = await producer.transaction();
await transaction.send({ topic, messages: [{ key: tx.originAccountId, value: serde.encode(tx) }] });
await transaction.commit();
await producer.disconnect();
console.log(`produced ${tx.transactionId} to ${topic} in a committed Kafka transaction`);

const consumer = kafka.consumer({ groupId: uniqueName('smoke'), readUncommitted: false });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const received = await new Promise<Transaction>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no record within 30 s')), 30_000);
  void consumer.run({
    eachMessage: async ({ message }) => {
      clearTimeout(timer);
      resolve((await serde.decode(message.value)).value);
    },
  });
});
await consumer.disconnect();
console.log(
  `consumed with read_committed and decoded: ${received.transactionId} ${received.type} ${received.amountMinor}`,
);

const redis = new Redis(settings.redisUrl);
const key = `smoke:{${tx.originAccountId}}`;
const count = await redis.eval("return redis.call('INCR', KEYS[1])", 1, key);
await redis.expire(key, 60);
redis.disconnect();
console.log(`Redis Lua round trip: ${key} = ${String(count)}`);
console.log(received.transactionId === tx.transactionId ? 'smoke: OK' : 'smoke: MISMATCH');
if (received.transactionId !== tx.transactionId) process.exit(1);
