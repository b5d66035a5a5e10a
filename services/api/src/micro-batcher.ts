import type { Decision, ReasonCode, Thresholds, Transaction } from '@fraud/contracts';
import { FeatureStoreUnavailableError } from '@fraud/features';
import type { ScoredBatch } from '@fraud/scoring';
import { DeadlineTimer, type DeadlineEntry } from './deadline-timer.ts';
import { OverloadedError, ScoringUnavailableError } from './errors.ts';

/** One transaction's answer: exactly what the stream's FraudDecision says about it. */
export interface ScoreResult {
  transactionId: string;
  decision: Decision;
  /** The champion's fraud probability (null only when the model returned NaN). */
  score: number | null;
  reasons: ReasonCode[];
  modelVersion: string;
  thresholds: Thresholds;
}

export interface MicroBatcherOptions {
  /** The shared decision path (`BatchScorer` from @fraud/scoring). */
  scorer: { score(txs: readonly Transaction[]): Promise<ScoredBatch> };
  /** @default 64; 1 = every request alone (micro-batching off). */
  maxBatchSize?: number;
  /**
   * How long the oldest waiting request waits for company. 0 = until the end of the current
   * event-loop turn (setImmediate): the requests parsed from the same socket reads form one batch,
   * with no timer to wait for. @default 0
   */
  maxWaitMs?: number;
  /** @default 4 */
  maxConcurrentBatches?: number;
  /** Requests waiting beyond this are refused with OverloadedError. @default 512 */
  maxQueue?: number;
  /** Called after every batch, for metrics. */
  onBatch?: (size: number, durationMs: number, error: unknown) => void;
}

/**
 * One request, from submit() until it is answered or its deadline passes. A plain object with the
 * promise's own resolve/reject: no wrapper closures or timer per request (see DeadlineTimer).
 */
class Pending implements DeadlineEntry {
  settled = false;
  prevByDeadline: DeadlineEntry | null = null;
  nextByDeadline: DeadlineEntry | null = null;
  inDeadlines = false;

  constructor(
    readonly tx: Transaction,
    readonly enqueuedAt: number,
    readonly deadlineMs: number,
    readonly resolve: (result: ScoreResult) => void,
    readonly reject: (error: Error) => void,
  ) {}

  get deadlineAt(): number {
    return this.enqueuedAt + this.deadlineMs;
  }
}

/**
 * Collects concurrent requests into batches (up to `maxBatchSize`, or whatever arrived within
 * `maxWaitMs` of the oldest), so a burst costs one Redis pipeline and one ONNX run per batch like
 * the stream, not one per request. The queue is bounded: beyond `maxQueue` waiting requests it
 * refuses at once (the caller answers 429) instead of letting latency grow without bound. Each
 * request has a deadline; one still waiting at its deadline is dropped before it writes any state.
 */
export class MicroBatcher {
  private readonly queue: Pending[] = [];
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrentBatches: number;
  private readonly maxQueue: number;
  private inFlight = 0;
  private readonly batches = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private closed = false;
  private readonly deadlines = new DeadlineTimer<Pending>((pending) => this.expire(pending));

  constructor(private readonly options: MicroBatcherOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 64;
    this.maxWaitMs = options.maxWaitMs ?? 0;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? 4;
    this.maxQueue = options.maxQueue ?? 512;
  }

  /** Requests waiting for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  /** Batches being scored right now. */
  get active(): number {
    return this.inFlight;
  }

  /**
   * Scores one validated transaction in the next batch. Rejects with OverloadedError when the
   * queue is full, ScoringUnavailableError when a dependency fails, when no model is loaded, or
   * when `deadlineMs` passes first.
   */
  submit(tx: Transaction, deadlineMs: number): Promise<ScoreResult> {
    if (this.closed) {
      return Promise.reject(new ScoringUnavailableError('shutting_down', 'the API is shutting down'));
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new OverloadedError(this.queue.length));
    return new Promise<ScoreResult>((resolve, reject) => {
      const pending = new Pending(tx, performance.now(), deadlineMs, resolve, reject);
      this.deadlines.add(pending);
      this.queue.push(pending);
      this.flush();
    });
  }

  /** Marks a request answered (once) and takes it off the deadline list; false if it already was. */
  private settle(pending: Pending): boolean {
    if (pending.settled) return false;
    pending.settled = true;
    this.deadlines.delete(pending);
    return true;
  }

  private expire(pending: Pending): void {
    if (!this.settle(pending)) return;
    // Still queued: drop it, so it never writes feature state. In flight: it may have been scored
    // (idempotently), but the caller stops waiting.
    const index = this.queue.indexOf(pending);
    if (index >= 0) this.queue.splice(index, 1);
    pending.reject(
      new ScoringUnavailableError(
        'deadline_exceeded',
        `not scored within the ${pending.deadlineMs} ms deadline`,
      ),
    );
  }

  /**
   * Starts as many batches as are due and allowed; arms the wait timer for the rest. A batch is
   * due when it is full, when its oldest request has waited `maxWaitMs`, or (`collected`) when the
   * collection window is over: the setImmediate of `maxWaitMs` 0 fired, or a batch slot freed up
   * while requests waited for one (they had their wait already).
   */
  private flush(collected = false): void {
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrentBatches) {
      if (!collected && this.queue.length < this.maxBatchSize) {
        const waitedMs = performance.now() - this.queue[0]!.enqueuedAt;
        if (this.maxWaitMs === 0 || waitedMs < this.maxWaitMs) {
          this.arm(this.maxWaitMs - waitedMs);
          return;
        }
      }
      this.start(this.queue.splice(0, this.maxBatchSize));
    }
    // A full pipeline: the next batch starts when one finishes (queue bounded by maxQueue).
  }

  private arm(delayMs: number): void {
    if (this.timer !== undefined) return;
    if (this.maxWaitMs === 0) {
      this.timer = setImmediate(() => {
        this.timer = undefined;
        this.flush(true);
      });
      return;
    }
    // setTimeout has 1 ms granularity: a window under 1 ms waits 1 ms (flush re-arms if early).
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(1, delayMs),
    );
  }

  private start(batch: Pending[]): void {
    this.inFlight++;
    const run = this.run(batch).finally(() => {
      this.inFlight--;
      this.batches.delete(run);
      this.flush(this.maxWaitMs === 0);
    });
    this.batches.add(run);
  }

  private async run(batch: Pending[]): Promise<void> {
    const started = performance.now();
    let failure: unknown;
    try {
      const scored = await this.options.scorer.score(batch.map((p) => p.tx));
      const { version, thresholds, scores } = scored.champion;
      batch.forEach((pending, row) => {
        if (!this.settle(pending)) return;
        const score = scores[row]!;
        pending.resolve({
          transactionId: pending.tx.transactionId,
          decision: scored.decisions[row]!,
          score: Number.isNaN(score) ? null : score,
          reasons: scored.reasonCodes[row]!,
          modelVersion: version,
          thresholds,
        });
      });
    } catch (error) {
      failure = error;
      const reported =
        error instanceof FeatureStoreUnavailableError
          ? new ScoringUnavailableError(
              'feature_store_unavailable',
              'the feature store (Redis) is unavailable',
              {
                cause: error,
              },
            )
          : error;
      const asError = reported instanceof Error ? reported : new Error(String(reported));
      for (const pending of batch) if (this.settle(pending)) pending.reject(asError);
    } finally {
      this.options.onBatch?.(batch.length, performance.now() - started, failure);
    }
  }

  /** Refuses new requests, scores what is queued, and waits for every batch. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.batches.size > 0) {
      if (this.queue.length > 0 && this.inFlight < this.maxConcurrentBatches) {
        this.start(this.queue.splice(0, this.maxBatchSize));
        continue;
      }
      await Promise.race(this.batches);
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
  }
}
