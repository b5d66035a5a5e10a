import kafkajs, { type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { PartitionCommitter, PartitionFencedError, isProducerFencedError } from './partition-committer.ts';

const { KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError } = kafkajs;

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

describe('isProducerFencedError', () => {
  // kafkajs builds these from the broker's error code table ({ type, code, retriable, message }).
  const protocolError = (e: { type: string; code: number; retriable: boolean; message: string }) =>
    new KafkaJSProtocolError(e as unknown as Error);
  const fenced = protocolError({
    type: 'PRODUCER_FENCED',
    code: 90,
    retriable: false,
    message: 'There is a newer producer with the same transactionalId which fences the current one',
  });
  const epoch = protocolError({
    type: 'INVALID_PRODUCER_EPOCH',
    code: 47,
    retriable: false,
    message: 'Producer attempted an operation with an old epoch',
  });

  it('recognises the broker fencing errors, also wrapped by kafkajs retries', () => {
    expect(isProducerFencedError(fenced)).toBe(true);
    expect(isProducerFencedError(epoch)).toBe(true);
    expect(
      isProducerFencedError(new KafkaJSNumberOfRetriesExceeded(epoch, { retryCount: 5, retryTime: 100 })),
    ).toBe(true);
  });

  it('leaves outages alone: they are retried, not treated as a lost partition', () => {
    expect(isProducerFencedError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(false);
    expect(isProducerFencedError(new Error('timeout'))).toBe(false);
  });
});
