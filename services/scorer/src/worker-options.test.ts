import { describe, expect, it } from 'vitest';
import {
  compileScorerWorkerOptions,
  WorkerOptionsError,
  type ScorerWorkerOptions,
} from './worker-options.ts';

/** Only the numbers matter to the compiler; the clients are never touched. */
const base = {
  groupId: 'g',
  topics: { transactions: 't', decisions: 'd', alerts: 'a', dlq: 'q' },
  partitionsConsumedConcurrently: 6,
  maxBatchSize: 512,
  commitIntervalMs: 20,
  commitMaxRecords: 4_096,
  maxBytesPerPartition: 1_048_576,
  retryMaxBackoffMs: 5_000,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
} as unknown as ScorerWorkerOptions;

describe('compileScorerWorkerOptions', () => {
  it('applies the consumer defaults and caps the long poll at the heartbeat', () => {
    const compiled = compileScorerWorkerOptions(base);
    expect(compiled).toMatchObject({ retryInitialBackoffMs: 100, consumerRetries: 10, maxWaitTimeMs: 1_000 });
    expect(
      compileScorerWorkerOptions({ ...base, heartbeatIntervalMs: 3_000, sessionTimeoutMs: 30_000 })
        .maxWaitTimeMs,
    ).toBe(3_000);
    expect(
      compileScorerWorkerOptions({ ...base, heartbeatIntervalMs: 10_000, sessionTimeoutMs: 60_000 })
        .maxWaitTimeMs,
    ).toBe(5_000);
    expect(Object.isFrozen(compiled)).toBe(true);
  });

  it('keeps what the caller set', () => {
    expect(
      compileScorerWorkerOptions({ ...base, consumerRetries: 0, retryInitialBackoffMs: 50 }),
    ).toMatchObject({
      consumerRetries: 0,
      retryInitialBackoffMs: 50,
    });
  });

  it.each([
    [{ maxBatchSize: 0 }, 'maxBatchSize'],
    [{ retryInitialBackoffMs: 10_000 }, 'retryInitialBackoffMs'],
    [{ heartbeatIntervalMs: 6_000 }, 'heartbeatIntervalMs'],
    [{ consumerRetries: -1 }, 'consumerRetries'],
    [{ partitionsConsumedConcurrently: 1.5 }, 'partitionsConsumedConcurrently'],
    [{ commitIntervalMs: -1 }, 'commitIntervalMs'],
    [{ commitMaxRecords: 0 }, 'commitMaxRecords'],
  ])('names the bad option %o', (change, option) => {
    const error = (() => {
      try {
        compileScorerWorkerOptions({ ...base, ...change });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WorkerOptionsError);
    expect((error as WorkerOptionsError).option).toBe(option);
  });
});
