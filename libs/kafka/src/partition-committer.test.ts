import kafkajs, { type Kafka, type ProducerConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  PartitionCommitter,
  PartitionFencedError,
  type CommittedOffsetReader,
} from './partition-committer.ts';

const {
  KafkaJSProtocolError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
} = kafkajs;

const request = {
  topicMessages: [],
  offset: { topic: 'payments.transactions', partition: 3, offset: '100' },
};

describe('PartitionCommitter', () => {
  it('derives one transactional id per input partition, the same for every replica', () => {
    const committer = new PartitionCommitter({} as Kafka, {
      transactionalIdPrefix: 'scorers',
      consumerGroupId: 'g',
    });
    expect(committer.transactionalIdOf('payments.transactions', 3)).toBe('scorers-payments.transactions-3');
  });

  it('refuses to commit a partition it holds no claim on (revoked, fenced or never claimed), before any I/O', async () => {
    const committer = new PartitionCommitter({} as Kafka, {
      transactionalIdPrefix: 'p',
      consumerGroupId: 'g',
    });
    const error = await committer.commit(request, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartitionFencedError);
    expect((error as PartitionFencedError).partition).toBe(3);
    expect(committer.isClaimed('payments.transactions', 3, 1)).toBe(false);
  });
});

/** What a fake producer's transactions did, in order: the calls the committer made. */
type Call = string;

/**
 * A stand-in for kafkajs' producers (unit tests only; partition-committer's fencing is proven
 * against the real broker in the scorer's zombie and chaos tests). `failNext` makes the next call
 * of that name throw.
 */
function fakeKafka() {
  const producers: { id: string; calls: Call[]; disconnected: boolean }[] = [];
  const failNext = new Map<string, Error>();
  const step = (calls: Call[], name: string) => {
    calls.push(name);
    const error = failNext.get(name);
    if (error !== undefined) {
      failNext.delete(name);
      return Promise.reject(error);
    }
    return Promise.resolve();
  };
  const kafka = {
    producer: (config: ProducerConfig) => {
      const record = { id: config.transactionalId!, calls: [] as Call[], disconnected: false };
      producers.push(record);
      return {
        connect: () => step(record.calls, 'connect'),
        disconnect: () => {
          record.disconnected = true;
          return step(record.calls, 'disconnect');
        },
        transaction: async () => {
          await step(record.calls, 'begin');
          return {
            sendBatch: (b: { topicMessages: { topic: string }[] }) =>
              step(record.calls, `send:${b.topicMessages.map((t) => t.topic).join(',')}`),
            sendOffsets: (o: { topics: { partitions: { offset: string }[] }[] }) =>
              step(record.calls, `offsets:${o.topics[0]!.partitions[0]!.offset}`),
            commit: () => step(record.calls, 'commit'),
            abort: () => step(record.calls, 'abort'),
          };
        },
      };
    },
  } as unknown as Kafka;
  const offsets: CommittedOffsetReader & { committed: bigint } = {
    committed: -1n,
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetch() {
      return Promise.resolve(this.committed);
    },
  };
  return { kafka, producers, failNext, offsets };
}

const fencedError = () =>
  new KafkaJSProtocolError({
    type: 'PRODUCER_FENCED',
    code: 90,
    retriable: false,
    message: 'There is a newer producer with the same transactionalId which fences the current one',
  } as unknown as Error);

const withOutputs = {
  topicMessages: [
    { topic: 'decisions', messages: [{ value: 'd' }] },
    { topic: 'alerts', messages: [] },
    { topic: 'dlq', messages: [{ value: 'x' }] },
  ],
  offset: { topic: 'payments.transactions', partition: 3, offset: '100' },
};

describe('PartitionCommitter with a fake producer', () => {
  async function claimed(committed = 42n) {
    const fake = fakeKafka();
    fake.offsets.committed = committed;
    const committer = new PartitionCommitter(
      fake.kafka,
      { transactionalIdPrefix: 'p', consumerGroupId: 'g' },
      fake.offsets,
    );
    await committer.connect();
    expect(await committer.claim('payments.transactions', 3, 1)).toBe(
      committed >= 0n ? committed : undefined,
    );
    return { ...fake, committer, producer: fake.producers[0]! };
  }

  it('claims with an empty transaction (the fence), then commits outputs and offset in one transaction', async () => {
    const { committer, producer } = await claimed();
    expect(producer.id).toBe('p-payments.transactions-3');
    expect(producer.calls).toEqual(['connect', 'begin', 'abort']);
    producer.calls.length = 0;
    await committer.commit(withOutputs, 1);
    // Empty topics are left out of the batch; the offset is the next one to consume.
    expect(producer.calls).toEqual(['begin', 'send:decisions,dlq', 'offsets:100', 'commit']);
  });

  it('reports "never committed" as undefined', async () => {
    const { committer } = await claimed(-1n);
    expect(committer.isClaimed('payments.transactions', 3, 1)).toBe(true);
  });

  it('on fencing at commit: aborts, releases the claim and refuses later commits of that generation', async () => {
    const { committer, producer, failNext } = await claimed();
    failNext.set('commit', fencedError());
    const error = await committer.commit(withOutputs, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartitionFencedError);
    expect((error as PartitionFencedError).cause).toBeInstanceOf(kafkajs.KafkaJSProtocolError);
    expect(producer.calls.slice(-3)).toEqual(['commit', 'abort', 'disconnect']);
    expect(committer.isClaimed('payments.transactions', 3, 1)).toBe(false);
    await expect(committer.commit(withOutputs, 1)).rejects.toBeInstanceOf(PartitionFencedError);
  });

  it('on fencing when the transaction begins: nothing is sent and the claim is released', async () => {
    const { committer, producer, failNext } = await claimed();
    producer.calls.length = 0;
    failNext.set(
      'begin',
      new KafkaJSNumberOfRetriesExceeded(fencedError(), { retryCount: 3, retryTime: 10 }),
    );
    await expect(committer.commit(withOutputs, 1)).rejects.toBeInstanceOf(PartitionFencedError);
    expect(producer.calls).toEqual(['begin', 'disconnect']);
  });

  it('on an outage that the abort survives: rethrows the outage itself and keeps the claim for the retry', async () => {
    const { committer, producer, failNext } = await claimed();
    producer.calls.length = 0;
    const outage = new KafkaJSConnectionError('Connection error: ECONNREFUSED');
    failNext.set('offsets:100', outage);
    await expect(committer.commit(withOutputs, 1)).rejects.toBe(outage);
    expect(producer.calls).toEqual(['begin', 'send:decisions,dlq', 'offsets:100', 'abort']);
    expect(committer.isClaimed('payments.transactions', 3, 1)).toBe(true);
    await committer.commit(withOutputs, 1);
    expect(producer.calls.slice(-1)).toEqual(['commit']);
  });

  it('on an outage at EndTxn: the abort is refused, so the claim is released (its fate is read by the next claim)', async () => {
    const { committer, producer, failNext } = await claimed();
    producer.calls.length = 0;
    const timeout = new KafkaJSNumberOfRetriesExceeded(new Error('Request EndTxn timed out'), {
      retryCount: 15,
      retryTime: 1000,
    });
    failNext.set('commit', timeout);
    // kafkajs leaves the producer in COMMITTING after a failed EndTxn; abort is then illegal.
    failNext.set(
      'abort',
      new KafkaJSNonRetriableError('Transaction state exception: Invalid state COMMITTING'),
    );
    await expect(committer.commit(withOutputs, 1)).rejects.toBe(timeout);
    expect(producer.calls).toEqual([
      'begin',
      'send:decisions,dlq',
      'offsets:100',
      'commit',
      'abort',
      'disconnect',
    ]);
    expect(committer.isClaimed('payments.transactions', 3, 1)).toBe(false);
    await expect(committer.commit(withOutputs, 1)).rejects.toBeInstanceOf(PartitionFencedError);
  });

  it('a chunk read under an older generation never commits through a newer claim', async () => {
    const { committer, producers } = await claimed();
    await committer.claim('payments.transactions', 3, 2);
    expect(producers[0]!.disconnected).toBe(true); // the older claim's producer is closed
    const stale = await committer.commit(withOutputs, 1).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(PartitionFencedError);
    expect(((stale as Error).cause as Error).message).toBe(
      'read under generation 1; claimed again for generation 2',
    );
    expect(producers[1]!.calls).toEqual(['connect', 'begin', 'abort']);
    await committer.commit(withOutputs, 2);
    expect(producers[1]!.calls.slice(-1)).toEqual(['commit']);
  });

  it('releases only revoked partitions after a rebalance, and disconnect closes every producer even if one fails', async () => {
    const { committer, producers, failNext } = await claimed();
    await committer.claim('payments.transactions', 4, 1);
    await committer.claim('payments.transactions', 5, 1);
    await committer.releaseAllExcept('payments.transactions', [4, 5]);
    expect(producers.map((p) => p.disconnected)).toEqual([true, false, false]);
    failNext.set('disconnect', new Error('socket hang up'));
    await expect(committer.disconnect()).rejects.toThrow('socket hang up');
    expect(producers.map((p) => p.disconnected)).toEqual([true, true, true]);
    expect(committer.isClaimed('payments.transactions', 5, 1)).toBe(false);
  });

  it('a failed claim closes its producer and leaves the partition unclaimed', async () => {
    const fake = fakeKafka();
    const committer = new PartitionCommitter(
      fake.kafka,
      { transactionalIdPrefix: 'p', consumerGroupId: 'g' },
      fake.offsets,
    );
    fake.failNext.set('begin', new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    await expect(committer.claim('t', 0, 1)).rejects.toThrow('ECONNREFUSED');
    expect(fake.producers[0]!.disconnected).toBe(true);
    expect(committer.isClaimed('t', 0, 1)).toBe(false);
  });
});
