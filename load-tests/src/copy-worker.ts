/**
 * The drain benchmark's reference: a consume-transform-produce loop with NO scoring work, on the
 * same exactly-once footing as the scorer. kafkajs's transactional copy loop: per fetched batch,
 * one transaction that copies every record (key, value, headers, bytes untouched) to the output
 * topic and commits the batch's offsets with sendOffsets. One transactional producer per input
 * partition (transactional id = prefix + partition, the classic EOS-per-partition fencing), so
 * partitions are copied concurrently (SCORER_PARTITIONS_CONCURRENTLY) like the scorer's.
 *
 * Started by the bench harness with the scorer's variable names plus COPY_OUTPUT_TOPIC. It logs
 * "copy started" at its first batch with the time and its own CPU so far, so the harness (which
 * watches the group's committed offsets for the end) can leave its start-up cost out, as for the
 * scorer.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { loadStackSettings, withStackEnv } from '@fraud/config';
import { createLogger } from '@fraud/observability';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    console.error(`copy-worker: ${name} is required`);
    process.exit(1);
  }
  return value;
}

const env = withStackEnv();
const stack = loadStackSettings(env);
const logger = createLogger({ name: 'fraud-copy-reference', level: env.LOG_LEVEL ?? 'info' });
const input = required(env, 'TOPIC_TRANSACTIONS');
const output = required(env, 'COPY_OUTPUT_TOPIC');
const groupId = required(env, 'SCORER_GROUP_ID');
const transactionalIdPrefix = required(env, 'SCORER_TRANSACTIONAL_ID_PREFIX');
const concurrency = Number(env.SCORER_PARTITIONS_CONCURRENTLY ?? '3');
if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
  console.error(`copy-worker: SCORER_PARTITIONS_CONCURRENTLY must be an integer >= 1`);
  process.exit(1);
}

/** Records per produce request inside a transaction (~200 B each: well under 1 MB). */
const SEND_SLICE = 2_000;

const kafka = new Kafka({
  clientId: `copy-${transactionalIdPrefix}`,
  brokers: stack.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024 });
const producers = new Map<number, Promise<Producer>>();

function producerFor(partition: number): Promise<Producer> {
  let producer = producers.get(partition);
  if (!producer) {
    const p = kafka.producer({
      transactionalId: `${transactionalIdPrefix}-copy-${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    producer = p.connect().then(() => p);
    producers.set(partition, producer);
  }
  return producer;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await consumer.disconnect().catch(() => undefined);
  for (const p of producers.values()) await (await p).disconnect().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  let started = false;

  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: concurrency,
    eachBatchAutoResolve: false,
    autoCommit: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
      if (!started) {
        started = true;
        const cpu = process.cpuUsage();
        logger.info({ atMs: Date.now(), cpuUs: cpu.user + cpu.system }, 'copy started');
      }
      const producer = await producerFor(batch.partition);
      const transaction = await producer.transaction();
      try {
        // A fetched batch can be megabytes; one produce request must stay under the broker's
        // message.max.bytes (1 MB by default), so the transaction sends it in slices.
        for (let at = 0; at < batch.messages.length; at += SEND_SLICE) {
          await transaction.send({
            topic: output,
            messages: batch.messages
              .slice(at, at + SEND_SLICE)
              .map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
          });
        }
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        });
        await transaction.commit();
      } catch (error) {
        logger.error({ err: error, partition: batch.partition }, 'copy transaction failed');
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      payload.resolveOffset(batch.lastOffset());
    },
  });
  logger.info({ input, output, concurrency }, 'copier running');
} catch (error) {
  logger.fatal({ err: error }, 'copier could not start');
  process.exit(1);
}
