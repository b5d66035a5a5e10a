import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyKafkaError, isProducerFencedError, isTransientKafkaError } from './kafka-errors.ts';

const {
  KafkaJSProtocolError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSRequestTimeoutError,
  KafkaJSNonRetriableError,
  KafkaJSAggregateError,
  KafkaJSSASLAuthenticationError,
} = kafkajs;

// kafkajs builds protocol errors from the broker's error table ({ type, code, retriable, message }).
const protocolError = (type: string, code: number, retriable: boolean, message = 'broker said no') =>
  new KafkaJSProtocolError({ type, code, retriable, message } as unknown as Error);

/** kafkajs sets `cause` when it wraps (its typings do not declare the option). */
const withCause = (error: Error, cause: Error) => Object.assign(error, { cause });

const fenced = protocolError('PRODUCER_FENCED', 90, false);
const epoch = protocolError('INVALID_PRODUCER_EPOCH', 47, false);
const notLeader = protocolError('NOT_LEADER_FOR_PARTITION', 6, true);
const denied = protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false);

describe('classifyKafkaError', () => {
  it('fencing by protocol type or code, also wrapped in retries, non-retriable wrappers and aggregates', () => {
    expect(classifyKafkaError(fenced)).toBe('fenced');
    expect(classifyKafkaError(epoch)).toBe('fenced');
    expect(
      classifyKafkaError(new KafkaJSNumberOfRetriesExceeded(epoch, { retryCount: 5, retryTime: 100 })),
    ).toBe('fenced');
    expect(classifyKafkaError(withCause(new KafkaJSNonRetriableError(fenced), fenced))).toBe('fenced');
    expect(classifyKafkaError(new KafkaJSAggregateError('two failed', [notLeader, fenced]))).toBe('fenced');
    // The code alone is enough (a type string kafkajs does not know yet).
    expect(classifyKafkaError(protocolError('SOMETHING_NEW', 90, false))).toBe('fenced');
    // Our transaction aborted under us by a newer InitProducerId: the producer must be replaced
    // too. kafkajs' retrier wraps it as new KafkaJSNonRetriableError(e, { cause: e }).
    const invalidState = protocolError('INVALID_TXN_STATE', 48, false);
    expect(isProducerFencedError(withCause(new KafkaJSNonRetriableError(invalidState), invalidState))).toBe(
      true,
    );
  });

  it('does not read messages: a fencing-sounding message on another error is not fencing', () => {
    expect(isProducerFencedError(new Error('producer fenced, INVALID_PRODUCER_EPOCH'))).toBe(false);
    expect(classifyKafkaError(protocolError('UNKNOWN_SERVER_ERROR', -1, false, 'fenced epoch'))).toBe(
      'fatal',
    );
  });

  it('outages are transient: connection, request timeout, retriable protocol errors, spent retries', () => {
    expect(classifyKafkaError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(
      'transient',
    );
    expect(
      classifyKafkaError(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')),
    ).toBe('transient');
    expect(classifyKafkaError(notLeader)).toBe('transient');
    const spent = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('refused'), {
      retryCount: 10,
      retryTime: 5_000,
    });
    expect(isTransientKafkaError(spent)).toBe(true);
    expect(isTransientKafkaError(withCause(new KafkaJSNonRetriableError(notLeader), notLeader))).toBe(true);
  });

  it('non-retriable broker answers are fatal; non-Kafka errors are not classified', () => {
    expect(classifyKafkaError(denied)).toBe('fatal');
    expect(
      classifyKafkaError(
        new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)(
          'SASL PLAIN authentication failed',
        ),
      ),
    ).toBe('fatal');
    expect(classifyKafkaError(new Error('ECONNREFUSED'))).toBeUndefined();
    expect(classifyKafkaError('not an error')).toBeUndefined();
    expect(isTransientKafkaError(fenced)).toBe(false);
  });
});
