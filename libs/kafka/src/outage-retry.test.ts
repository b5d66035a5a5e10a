import { describe, expect, it } from 'vitest';
import { KafkaOutageError, retryThroughOutage } from './outage-retry.ts';

describe('retryThroughOutage', () => {
  it('retries with growing backoff until the attempt succeeds', async () => {
    const backoffs: number[] = [];
    let calls = 0;
    const result = await retryThroughOutage(
      'send',
      () => (++calls < 4 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve('ok')),
      { initialBackoffMs: 1, maxBackoffMs: 3, onRetry: ({ backoffMs }) => backoffs.push(backoffMs) },
    );
    expect(result).toBe('ok');
    expect(backoffs).toEqual([1, 2, 3]);
  });

  it('gives up with a KafkaOutageError naming the bound and the last error', async () => {
    const error = await retryThroughOutage(
      'produce to payments.transactions',
      () => Promise.reject(new Error('ECONNREFUSED')),
      {
        maxOutageMs: 30,
        initialBackoffMs: 5,
        maxBackoffMs: 5,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaOutageError);
    expect((error as Error).message).toMatch(
      /produce to payments.transactions failed for \d+ s, longer than the 0 s outage bound/,
    );
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
});
