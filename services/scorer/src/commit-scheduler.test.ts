import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommitScheduler, type FlushTrigger, type PendingGroup } from './commit-scheduler.ts';

interface Flushed {
  partition: number;
  trigger: FlushTrigger;
  firstOffset: bigint;
  nextOffset: bigint;
  records: number;
  chunks: string[];
  atMs: number;
}

/** A scheduler on fake timers whose flushes are recorded (and may be made slow or failing). */
function setup(intervalMs: number, maxRecords = 1_000, flushDelayMs = 0) {
  const flushed: Flushed[] = [];
  const errors: unknown[] = [];
  const scheduler = new CommitScheduler<string>({
    intervalMs,
    maxRecords,
    now: () => Date.now(),
    flush: async (group: PendingGroup<string>, trigger) => {
      if (flushDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, flushDelayMs));
      flushed.push({
        partition: group.partition,
        trigger,
        firstOffset: group.firstOffset,
        nextOffset: group.nextOffset,
        records: group.records,
        chunks: group.chunks,
        atMs: Date.now(),
      });
    },
    onFlushError: (error) => errors.push(error),
  });
  /** One batch of `records` records at `offset` on `partition`, as the worker feeds it. */
  const batch = (partition: number, offset: number, records: number, caughtUp: boolean, generation = 1) =>
    scheduler.exclusive(partition, async () => {
      scheduler.add(partition, generation, BigInt(offset), {
        records,
        nextOffset: BigInt(offset + records),
        item: `${partition}@${offset}`,
      });
      await scheduler.flushIfDue(partition);
      await scheduler.afterBatch(partition, caughtUp);
    });
  return { scheduler, flushed, errors, batch };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CommitScheduler', () => {
  it('interval 0 commits every chunk at once (the behaviour before group commit)', async () => {
    const { flushed, batch } = setup(0);
    await batch(0, 0, 10, false);
    await batch(0, 10, 5, false);
    expect(flushed.map((f) => [f.trigger, f.firstOffset, f.nextOffset])).toEqual([
      ['every_chunk', 0n, 10n],
      ['every_chunk', 10n, 15n],
    ]);
  });

  it('groups batches that arrive closer than the interval and commits them on a timer at the interval', async () => {
    const { flushed, batch } = setup(20);
    await batch(0, 0, 10, false); // behind: under load
    await vi.advanceTimersByTimeAsync(5);
    await batch(0, 10, 10, false);
    await vi.advanceTimersByTimeAsync(5);
    await batch(0, 20, 10, false);
    expect(flushed).toEqual([]);
    await vi.advanceTimersByTimeAsync(9);
    expect(flushed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // 20 ms after the first chunk joined
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({
      trigger: 'interval',
      firstOffset: 0n,
      nextOffset: 30n,
      records: 30,
      chunks: ['0@0', '0@10', '0@20'],
      atMs: 1_000_020,
    });
  });

  it('commits a batch inline once its group is older than the interval', async () => {
    const { flushed, scheduler } = setup(20);
    await scheduler.exclusive(0, async () => {
      scheduler.add(0, 1, 0n, { records: 1, nextOffset: 1n, item: 'a' });
      vi.setSystemTime(Date.now() + 25); // a slow chunk: the timer could not run meanwhile
      await scheduler.flushIfDue(0);
    });
    expect(flushed.map((f) => f.trigger)).toEqual(['interval']);
  });

  it('commits at once when the group reaches maxRecords', async () => {
    const { flushed, batch } = setup(20, 25);
    await batch(0, 0, 10, false);
    await batch(0, 10, 10, false);
    expect(flushed).toEqual([]);
    await batch(0, 20, 10, false);
    expect(flushed.map((f) => [f.trigger, f.records])).toEqual([['size', 30]]);
  });

  it('a batch that leaves the partition caught up commits at once, with what it joined', async () => {
    const { flushed, batch } = setup(20);
    await batch(0, 0, 1, true); // a trickle
    await vi.advanceTimersByTimeAsync(3);
    await batch(0, 1, 40, false); // a burst: behind, so it waits for company
    await vi.advanceTimersByTimeAsync(5);
    await batch(0, 41, 7, true); // the burst is worked off: commit now, not at the interval
    expect(flushed.map((f) => [f.trigger, f.firstOffset, f.nextOffset, f.atMs])).toEqual([
      ['idle', 0n, 1n, 1_000_000],
      ['idle', 1n, 48n, 1_000_008],
    ]);
  });

  it('a batch that leaves the partition behind never counts as idle', async () => {
    const { flushed, batch } = setup(20);
    await batch(0, 0, 1, false); // first batch, but more is waiting on the broker
    expect(flushed).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(flushed.map((f) => f.trigger)).toEqual(['interval']);
  });

  it('partitions keep separate groups and deadlines', async () => {
    const { flushed, batch } = setup(20);
    await batch(0, 0, 5, false);
    await vi.advanceTimersByTimeAsync(10);
    await batch(1, 100, 5, false);
    await vi.advanceTimersByTimeAsync(10);
    expect(flushed.map((f) => f.partition)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(10);
    expect(flushed.map((f) => [f.partition, f.firstOffset, f.nextOffset])).toEqual([
      [0, 0n, 5n],
      [1, 100n, 105n],
    ]);
  });

  it('a timer flush waits for the batch in progress on its partition, never overlapping it', async () => {
    const { scheduler, flushed } = setup(20);
    const events: string[] = [];
    await scheduler.exclusive(0, async () => {
      scheduler.add(0, 1, 0n, { records: 1, nextOffset: 1n, item: 'a' });
      await scheduler.afterBatch(0, false); // arms the timer for +20 ms
    });
    // A slow batch holds the partition across the deadline.
    const slow = scheduler.exclusive(0, async () => {
      events.push('batch start');
      await new Promise((resolve) => setTimeout(resolve, 50));
      scheduler.add(0, 1, 0n, { records: 1, nextOffset: 2n, item: 'b' });
      events.push('batch end');
    });
    await vi.advanceTimersByTimeAsync(30);
    expect(flushed).toEqual([]); // deadline passed, but the batch holds the partition
    await vi.advanceTimersByTimeAsync(30);
    await slow;
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['batch start', 'batch end']);
    expect(flushed.map((f) => [f.trigger, f.records, f.chunks])).toEqual([['interval', 2, ['a', 'b']]]);
  });

  it('a batch waits for a slow timer flush of its partition; other partitions do not', async () => {
    const { scheduler, flushed, batch } = setup(20, 1_000, 40);
    await batch(0, 0, 1, false);
    await vi.advanceTimersByTimeAsync(25); // the timer flush started and takes 40 ms
    const order: string[] = [];
    const note = (p: number) => () => {
      order.push(`p${p} batch after ${flushed.length} flush(es)`);
      return Promise.resolve();
    };
    const next0 = scheduler.exclusive(0, note(0));
    const next1 = scheduler.exclusive(1, note(1));
    await vi.advanceTimersByTimeAsync(50);
    await Promise.all([next0, next1]);
    expect(order).toEqual(['p1 batch after 0 flush(es)', 'p0 batch after 1 flush(es)']);
  });

  it('a rebalance discards every pending group; a group of an older generation never merges into a newer one', async () => {
    const { scheduler, flushed, batch } = setup(20);
    await batch(0, 0, 5, false, 1);
    await batch(1, 0, 7, false, 1);
    expect(scheduler.discardAll()).toBe(12);
    await vi.advanceTimersByTimeAsync(100);
    expect(flushed).toEqual([]); // timers disarmed

    await batch(0, 0, 5, false, 1);
    await batch(0, 5, 5, false, 2); // read under the next generation: the old group is dropped
    await vi.advanceTimersByTimeAsync(20);
    expect(flushed.map((f) => [f.firstOffset, f.nextOffset, f.records])).toEqual([[5n, 10n, 5]]);
  });

  it('flushAll commits every pending group (shutdown) and arms no more timers', async () => {
    const { scheduler, flushed, batch } = setup(1_000);
    await batch(0, 0, 3, false);
    await batch(2, 40, 4, false);
    await scheduler.flushAll();
    expect(flushed.map((f) => [f.partition, f.trigger, f.records])).toEqual([
      [0, 'close', 3],
      [2, 'close', 4],
    ]);
    await batch(0, 3, 1, false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(flushed).toHaveLength(2);
    expect(scheduler.pending(0)?.records).toBe(1);
  });

  it('reports a rejected timer flush and keeps the partition usable', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const flushed: number[] = [];
    const scheduler = new CommitScheduler<string>({
      intervalMs: 10,
      maxRecords: 100,
      now: () => Date.now(),
      flush: (group) => {
        if (fail) return Promise.reject(new Error('fatal'));
        flushed.push(group.records);
        return Promise.resolve();
      },
      onFlushError: (error) => errors.push(error),
    });
    await scheduler.exclusive(0, async () => {
      scheduler.add(0, 1, 0n, { records: 2, nextOffset: 2n, item: 'x' });
      await scheduler.afterBatch(0, false);
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toHaveLength(1);
    expect(scheduler.pending(0)).toBeUndefined(); // taken out before the flush, whatever happened
    fail = false;
    await scheduler.exclusive(0, async () => {
      scheduler.add(0, 1, 2n, { records: 3, nextOffset: 5n, item: 'y' });
      await scheduler.afterBatch(0, false);
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(flushed).toEqual([3]);
  });

  it('rejects a negative interval and a zero record cap', () => {
    const options = { flush: () => Promise.resolve(), onFlushError: () => undefined };
    expect(() => new CommitScheduler({ ...options, intervalMs: -1, maxRecords: 10 })).toThrow(/intervalMs/);
    expect(() => new CommitScheduler({ ...options, intervalMs: 20, maxRecords: 0 })).toThrow(/maxRecords/);
  });
});
