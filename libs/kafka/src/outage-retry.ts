import { setTimeout as sleep } from 'node:timers/promises';

export interface OutageRetryOptions {
  /**
   * How long the dependency may stay unreachable, counted from the first failure of this call,
   * before giving up with a KafkaOutageError. @default 60000
   */
  maxOutageMs?: number;
  /** @default 200 */
  initialBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /** Told about each failed attempt (log it); not called for the final failure. */
  onRetry?: (info: { attempt: number; backoffMs: number; outageMs: number; error: unknown }) => void;
  signal?: AbortSignal;
}

/** Kafka stayed unreachable longer than the bound; says how long, what to check, and the last error. */
export class KafkaOutageError extends Error {
  constructor(
    readonly what: string,
    readonly outageMs: number,
    readonly maxOutageMs: number,
    options: { cause: unknown },
  ) {
    const cause = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `${what} failed for ${Math.round(outageMs / 1000)} s, longer than the ${Math.round(maxOutageMs / 1000)} s ` +
        `outage bound; check that the brokers are up and reachable (last error: ${cause})`,
      options,
    );
    this.name = 'KafkaOutageError';
  }
}

/**
 * Runs `attempt` until it succeeds, retrying every failure with capped exponential backoff for at
 * most `maxOutageMs` after the first one: a producer rides out a broker restart and fails with
 * one clear error when the outage outlasts the bound. Idempotent producers resend the same batch
 * with the same sequence numbers, so a retry after a lost acknowledgement is not duplicated.
 */
export async function retryThroughOutage<T>(
  what: string,
  attempt: () => Promise<T>,
  options: OutageRetryOptions = {},
): Promise<T> {
  const { maxOutageMs = 60_000, initialBackoffMs = 200, maxBackoffMs = 5_000 } = options;
  let firstFailureAt: number | undefined;
  let backoffMs = initialBackoffMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const now = Date.now();
      firstFailureAt ??= now;
      const outageMs = now - firstFailureAt;
      if (outageMs + backoffMs > maxOutageMs)
        throw new KafkaOutageError(what, outageMs, maxOutageMs, { cause: error });
      options.onRetry?.({ attempt: n, backoffMs, outageMs, error });
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }
  }
}
