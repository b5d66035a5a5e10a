import type { PartitionCommitter } from '@fraud/kafka';
import type { Logger, ScorerMetrics } from '@fraud/observability';
import type { ServiceLifecycle } from '@fraud/runtime';
import type { Kafka } from 'kafkajs';
import type { BatchProcessor } from './batch-processor.ts';

/**
 * The worker's options. The required numbers come from the scorer config (SCORER_* variables,
 * whose defaults live there once); the optional ones are consumer internals with their defaults
 * here, applied by compileScorerWorkerOptions.
 */
export interface ScorerWorkerOptions {
  kafka: Kafka;
  /**
   * The service run the worker belongs to: its state is the worker's (readiness derives from
   * it), its signal aborts start-up waits and retry backoff, and a fatal error is reported to it.
   */
  lifecycle: ServiceLifecycle;
  /** Commits each chunk's outputs with its offset in one Kafka transaction of the partition's own producer. */
  committer: PartitionCommitter;
  processor: BatchProcessor;
  metrics: ScorerMetrics;
  logger: Logger;
  groupId: string;
  topics: { transactions: string; decisions: string; alerts: string; dlq: string };
  partitionsConsumedConcurrently: number;
  /** Records per scored chunk. */
  maxBatchSize: number;
  /**
   * Adaptive group commit (commit-scheduler.ts): the longest a processed record waits for its
   * transaction; 0 = one transaction per chunk.
   */
  commitIntervalMs: number;
  /** A partition's pending group is committed once it holds this many records. */
  commitMaxRecords: number;
  maxBytesPerPartition: number;
  /** Dependency retries back off exponentially up to this. */
  retryMaxBackoffMs: number;
  /** A member silent this long is dropped and its partitions move (the takeover time after a crash). */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /**
   * The first wait after a dependency failure; doubles per failure up to retryMaxBackoffMs.
   * @default 100
   */
  retryInitialBackoffMs?: number;
  /**
   * Longest idle fetch long-poll. kafkajs heartbeats between fetches, so it is capped at
   * heartbeatIntervalMs: an idle poll must not outlast the heartbeat.
   * @default 5000
   */
  maxWaitTimeMs?: number;
  /**
   * kafkajs' own retries of a consumer request before the consumer crashes (and restarts).
   * @default 10
   */
  consumerRetries?: number;
  /**
   * Runs before joining the group: waits (bounded) for the topics and registry subject the worker
   * needs, reporting what is missing; rejects to stop the start. `signal` aborts the wait.
   */
  preflight?: (onMissing: (missing: string[]) => void, signal: AbortSignal) => Promise<void>;
}

export type CompiledScorerWorkerOptions = Readonly<
  Required<Omit<ScorerWorkerOptions, 'preflight'>> & Pick<ScorerWorkerOptions, 'preflight'>
>;

/** A worker option out of range, named. */
export class WorkerOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`scorer worker option ${option}: ${message}`);
    this.name = 'WorkerOptionsError';
  }
}

const positiveInt = (options: Record<string, unknown>, name: string): void => {
  const value = options[name];
  if (!(typeof value === 'number' && Number.isInteger(value) && value > 0))
    throw new WorkerOptionsError(name, `must be an integer > 0 (got ${String(value)})`);
};

/** Applies the defaults and checks every number once; the worker reads only the result. */
export function compileScorerWorkerOptions(options: ScorerWorkerOptions): CompiledScorerWorkerOptions {
  const compiled = {
    retryInitialBackoffMs: 100,
    consumerRetries: 10,
    ...options,
    maxWaitTimeMs: Math.min(options.maxWaitTimeMs ?? 5_000, options.heartbeatIntervalMs),
  };
  for (const name of [
    'partitionsConsumedConcurrently',
    'maxBatchSize',
    'maxBytesPerPartition',
    'retryInitialBackoffMs',
    'retryMaxBackoffMs',
    'sessionTimeoutMs',
    'heartbeatIntervalMs',
    'maxWaitTimeMs',
    'commitMaxRecords',
  ])
    positiveInt(compiled, name);
  if (!(Number.isInteger(compiled.commitIntervalMs) && compiled.commitIntervalMs >= 0))
    throw new WorkerOptionsError('commitIntervalMs', 'must be an integer >= 0');
  if (!(Number.isInteger(compiled.consumerRetries) && compiled.consumerRetries >= 0))
    throw new WorkerOptionsError('consumerRetries', 'must be an integer >= 0');
  if (compiled.retryInitialBackoffMs > compiled.retryMaxBackoffMs)
    throw new WorkerOptionsError(
      'retryInitialBackoffMs',
      `must be <= retryMaxBackoffMs (${compiled.retryMaxBackoffMs})`,
    );
  // Kafka's rule: a member must heartbeat several times per session or it is dropped while healthy.
  if (compiled.heartbeatIntervalMs >= compiled.sessionTimeoutMs)
    throw new WorkerOptionsError(
      'heartbeatIntervalMs',
      `must be < sessionTimeoutMs (${compiled.sessionTimeoutMs})`,
    );
  return Object.freeze(compiled);
}
