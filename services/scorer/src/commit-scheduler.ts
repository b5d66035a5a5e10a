/**
 * Adaptive group commit: when a partition's processed-but-uncommitted chunks are committed.
 *
 * A Kafka transaction costs the broker about the same whatever it carries (AddPartitionsToTxn,
 * TxnOffsetCommit, EndTxn and the commit markers), so committing every small fetch spends most of
 * the broker's CPU on transaction overhead at moderate rates. Instead, a partition's processed
 * chunks wait in a pending group and are committed together:
 *
 * - `interval`: when the oldest chunk of the group has waited `intervalMs` (a latency bound, not
 *   a cadence: a quiet partition never commits on a clock);
 * - `size`: when the group holds `maxRecords` records (bounds memory and the transaction size);
 * - `idle`: at once, when a batch leaves the partition caught up (nothing behind it on the
 *   broker): commit immediately when idle, group only under load. A partition that keeps up
 *   commits as before group commit, one transaction per fetch, and pays no added latency; one
 *   that falls behind (a burst, a backlog, a storm) groups its fetches up to the interval, which
 *   is where the broker's per-transaction cost hurts. Measured alternatives that also grouped a
 *   partition keeping up (waiting while more records were expected within the interval) saved
 *   little at 2K TPS, where one fetch-score-commit cycle already takes longer than 20 ms here,
 *   and added ~60 ms to p99 at 500 TPS, because a timer commit holds up kafkajs' next fetch for
 *   every partition (services/scorer/README.md);
 * - `close`: when the worker shuts down (flushAll).
 *
 * `intervalMs` 0 commits every chunk on its own (the behaviour before group commit).
 *
 * Work on one partition is serialised (`exclusive`): a timer flush and the next batch of the same
 * partition never run at the same time, while partitions flush independently. The scheduler
 * knows nothing about Kafka: committing a group, and what to do when that fails, is the `flush`
 * callback's job.
 */

export type FlushTrigger = 'every_chunk' | 'interval' | 'size' | 'idle' | 'close';

/** One processed chunk waiting for its commit. */
export interface PendingChunk<T> {
  /** Records consumed (good and dead-lettered). */
  records: number;
  /** The offset to commit once this chunk is done: its last offset + 1. */
  nextOffset: bigint;
  /** What the flush needs to commit and record the chunk (its outputs, its metrics). */
  item: T;
}

/** One partition's pending chunks: committed together in one transaction, or discarded together. */
export interface PendingGroup<T> {
  partition: number;
  /** The group generation the chunks were read under: only that generation's claim may commit them. */
  generation: number;
  /** The first offset of the group: the partition's committed offset, where to rewind if it is lost. */
  firstOffset: bigint;
  /** The offset to commit with the group (the last chunk's nextOffset). */
  nextOffset: bigint;
  records: number;
  /** When the first chunk joined (the clock of `now`). */
  startedAtMs: number;
  chunks: T[];
}

export interface CommitSchedulerOptions<T> {
  /** Longest wait of a processed record for its commit; 0 = commit every chunk at once. */
  intervalMs: number;
  /** A group holding this many records is committed at once. */
  maxRecords: number;
  /**
   * Commits `group` (called inside the partition's exclusive section). It handles its own
   * failures; a rejection is reported to `onFlushError` when the flush ran from a timer.
   */
  flush: (group: PendingGroup<T>, trigger: FlushTrigger) => Promise<void>;
  /** A timer-driven flush rejected (the worker's flush only rejects on a fatal error). */
  onFlushError: (error: unknown, partition: number) => void;
  /** Milliseconds clock; tests pass a fake one. */
  now?: () => number;
}

interface PartitionState<T> {
  group: PendingGroup<T> | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The tail of the partition's exclusive sections. */
  tail: Promise<unknown>;
}

export class CommitScheduler<T> {
  private readonly partitions = new Map<number, PartitionState<T>>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: CommitSchedulerOptions<T>) {
    if (!(Number.isInteger(options.intervalMs) && options.intervalMs >= 0))
      throw new RangeError(`commit intervalMs must be an integer >= 0 (got ${options.intervalMs})`);
    if (!(Number.isInteger(options.maxRecords) && options.maxRecords > 0))
      throw new RangeError(`commit maxRecords must be an integer > 0 (got ${options.maxRecords})`);
    this.now = options.now ?? (() => performance.now());
  }

  /** Runs `work` after every earlier exclusive section of `partition` (batches and timer flushes). */
  exclusive<R>(partition: number, work: () => Promise<R>): Promise<R> {
    const state = this.state(partition);
    const run = state.tail.then(work, work);
    state.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Adds a processed chunk to the partition's pending group (opening one that starts at
   * `firstOffset` if there is none). A group of an older generation is discarded first: its
   * records are redelivered after the rebalance, and it must never commit through a newer claim.
   */
  add(partition: number, generation: number, firstOffset: bigint, chunk: PendingChunk<T>): void {
    const state = this.state(partition);
    if (state.group && state.group.generation !== generation) this.discard(partition);
    state.group ??= {
      partition,
      generation,
      firstOffset,
      nextOffset: chunk.nextOffset,
      records: 0,
      startedAtMs: this.now(),
      chunks: [],
    };
    state.group.nextOffset = chunk.nextOffset;
    state.group.records += chunk.records;
    state.group.chunks.push(chunk.item);
  }

  /** Whether the partition's group must be committed now, and why (undefined = it may wait). */
  dueTrigger(partition: number): FlushTrigger | undefined {
    const group = this.partitions.get(partition)?.group;
    if (!group) return undefined;
    if (this.options.intervalMs === 0) return 'every_chunk';
    if (group.records >= this.options.maxRecords) return 'size';
    if (this.now() - group.startedAtMs >= this.options.intervalMs) return 'interval';
    return undefined;
  }

  /** Commits the partition's group now if it is due (call inside the partition's exclusive section). */
  async flushIfDue(partition: number): Promise<void> {
    const trigger = this.dueTrigger(partition);
    if (trigger) await this.flushNow(partition, trigger);
  }

  /**
   * After a batch's chunks were added (inside the exclusive section): commits at once when the
   * group is due or the batch left the partition caught up (idle), otherwise arms a timer so the
   * oldest record waits at most intervalMs.
   */
  async afterBatch(partition: number, caughtUp: boolean): Promise<void> {
    const state = this.partitions.get(partition);
    if (!state?.group) return;
    const trigger = this.dueTrigger(partition) ?? (caughtUp ? 'idle' : undefined);
    if (trigger) {
      await this.flushNow(partition, trigger);
      return;
    }
    this.arm(partition, state);
  }

  /** The pending group of `partition`, if any (read-only view for the caller). */
  pending(partition: number): Readonly<PendingGroup<T>> | undefined {
    return this.partitions.get(partition)?.group;
  }

  /** Drops the partition's group without committing it (its records will be read again). */
  discard(partition: number): PendingGroup<T> | undefined {
    const state = this.partitions.get(partition);
    if (!state) return undefined;
    const group = state.group;
    state.group = undefined;
    this.disarm(state);
    return group;
  }

  /** A rebalance: every group of the old generation is dropped. */
  discardAll(): number {
    let records = 0;
    for (const partition of this.partitions.keys()) records += this.discard(partition)?.records ?? 0;
    return records;
  }

  /**
   * Shutdown: no timer is armed any more, and every pending group is committed (each after the
   * partition's section in progress). Resolves when all flushes have settled.
   */
  async flushAll(): Promise<void> {
    this.closed = true;
    const flushes = [...this.partitions.keys()].map((partition) =>
      this.exclusive(partition, () => this.flushNow(partition, 'close')),
    );
    await Promise.all(flushes);
  }

  /** Takes the group out before committing: whatever happens in `flush`, it is gone. */
  private async flushNow(partition: number, trigger: FlushTrigger): Promise<void> {
    const group = this.discard(partition);
    if (group) await this.options.flush(group, trigger);
  }

  private arm(partition: number, state: PartitionState<T>): void {
    if (this.closed || state.timer !== undefined || !state.group) return;
    const group = state.group;
    const delayMs = Math.max(0, group.startedAtMs + this.options.intervalMs - this.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.exclusive(partition, async () => {
        // A batch may have flushed (or a rebalance dropped) this group while we waited for the
        // section; a newer group has its own deadline.
        if (state.group !== group) {
          this.arm(partition, state);
          return;
        }
        await this.flushNow(partition, 'interval');
      }).catch((error: unknown) => this.options.onFlushError(error, partition));
    }, delayMs);
  }

  private disarm(state: PartitionState<T>): void {
    if (state.timer === undefined) return;
    clearTimeout(state.timer);
    state.timer = undefined;
  }

  private state(partition: number): PartitionState<T> {
    let state = this.partitions.get(partition);
    if (!state) {
      state = {
        group: undefined,
        timer: undefined,
        tail: Promise.resolve(),
      };
      this.partitions.set(partition, state);
    }
    return state;
  }
}
