import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import kafkajs, { type Kafka, type ProducerConfig } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FraudLabel } from '@fraud/contracts';
import { uniqueName } from '@fraud/test-support';
import { openDb, type Db } from '../db/db.ts';
import { leaderLock } from '../db/leader-lock.ts';
import { migrate } from '../db/migrate.ts';
import { enqueueLabel } from '../store/cases.ts';
import { consoleTestContext, waitUntil } from '../testing/console-harness.ts';
import { OUTBOX_HEADERS, OutboxRelay } from './relay.ts';

const { KafkaJSRequestTimeoutError } = kafkajs;

/**
 * The real client, except that the first transaction commit lands on the broker and is then
 * reported as failed: what a client sees when EndTxn succeeds but its response times out.
 */
function commitLandsButFailsOnce(kafka: Kafka): { kafka: Kafka; injected: () => number } {
  let injected = 0;
  const faulty = Object.create(kafka) as Kafka;
  faulty.producer = (config?: ProducerConfig) => {
    const producer = kafka.producer(config);
    const begin = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const transaction = await begin();
      const commit = transaction.commit.bind(transaction);
      transaction.commit = async () => {
        await commit();
        if (injected > 0) return;
        injected++;
        throw new KafkaJSRequestTimeoutError('Request EndTxn(key: 26, version: 1) timed out');
      };
      return transaction;
    };
    return producer;
  };
  return { kafka: faulty, injected: () => injected };
}

/** The outbox ids of every committed record on `topic`, once `count` have arrived (and a second more). */
async function publishedIds(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('labels-reader'), readUncommitted: false });
  const ids: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
    eachMessage: async ({ message }) => {
      ids.push(String(message.headers?.[OUTBOX_HEADERS.id]));
    },
  });
  try {
    await waitUntil(() => Promise.resolve(ids.length >= count), 30_000, `${count} labels`);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a duplicate would arrive here
  } finally {
    await consumer.disconnect();
  }
  return ids;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'relay-int-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('outbox relay', () => {
  it('a commit that landed but was reported failed is not published again: the next term recovers it', async () => {
    const ctx = await consoleTestContext('outbox-relay-commit-fault');
    const settings = { kind: 'sqlite' as const, file: path.join(tmp, `${ctx.base}.db`) };
    const db: Db = await openDb(settings);
    await migrate(db);
    const labels: FraudLabel[] = [0, 1, 2].map((i) => ({
      transactionId: `${ctx.base}-tx${i}`,
      isFraud: i !== 1,
      source: 'analyst',
      labeledAt: Date.now(),
    }));
    for (const label of labels) await enqueueLabel(db, ctx.topics.labels, label, Date.now());
    const fault = commitLandsButFailsOnce(ctx.kafka);
    const relay = new OutboxRelay({
      kafka: fault.kafka,
      registry: ctx.registry,
      db,
      transactionalId: uniqueName('relay'),
      leaderLock: leaderLock(settings, 'outbox', () => undefined),
      logger: pino({ level: process.env.CONSOLE_TEST_LOG ?? 'silent' }),
      pollIntervalMs: 100,
    });
    await relay.start();
    try {
      const unsent = async () =>
        (await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL'))[0]!.n;
      await waitUntil(async () => (await unsent()) === 0, 30_000, 'every outbox row marked sent');
      expect(fault.injected()).toBe(1);
      // The one batch went out in the faulted commit; the next term's recovery marked it sent.
      expect(relay.published).toBe(0);
      const ids = await publishedIds(ctx.kafka, ctx.topics.labels, labels.length);
      expect(ids.sort()).toEqual(['1', '2', '3']);
    } finally {
      await relay.stop();
      await db.close();
    }
  });
});
