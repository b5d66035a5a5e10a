import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** The first wait. @default 100 */
  initialMs?: number;
  /** No wait is longer than this. */
  maxMs: number;
  /** Each wait is the previous one times this. @default 2 */
  factor?: number;
}

/** Capped exponential backoff: `initialMs`, then times `factor` per failure, never above `maxMs`. */
export class ExponentialBackoff {
  private readonly initialMs: number;
  private readonly factor: number;
  private currentMs: number;

  constructor(private readonly options: BackoffOptions) {
    this.initialMs = options.initialMs ?? 100;
    this.factor = options.factor ?? 2;
    if (!(this.initialMs > 0) || !(options.maxMs >= this.initialMs) || !(this.factor >= 1))
      throw new RangeError(
        `backoff needs 0 < initialMs <= maxMs and factor >= 1 (got ${this.initialMs}, ${options.maxMs}, ${this.factor})`,
      );
    this.currentMs = this.initialMs;
  }

  /** The wait before the next attempt; each call moves one step up. */
  next(): number {
    const waitMs = this.currentMs;
    this.currentMs = Math.min(this.currentMs * this.factor, this.options.maxMs);
    return waitMs;
  }

  /** After a success: the next failure waits `initialMs` again. */
  reset(): void {
    this.currentMs = this.initialMs;
  }
}

/**
 * Waits `ms`, or less when `signal` aborts first. Resolves true when the full wait passed and
 * false when it was aborted, so a retry loop stops at once on shutdown instead of sleeping on.
 */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
