import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineTimer, type DeadlineEntry } from './deadline-timer.ts';

class Entry implements DeadlineEntry {
  prevByDeadline: DeadlineEntry | null = null;
  nextByDeadline: DeadlineEntry | null = null;
  inDeadlines = false;
  constructor(
    readonly name: string,
    readonly deadlineAt: number,
  ) {}
}

describe('DeadlineTimer', () => {
  let nowMs = 0;
  const expired: string[] = [];
  let timer: DeadlineTimer<Entry>;
  /** Moves the injected clock and the fake timers together. */
  const advance = (ms: number) => {
    nowMs += ms;
    vi.advanceTimersByTime(ms);
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    nowMs = 0;
    expired.length = 0;
    timer = new DeadlineTimer<Entry>(
      (entry) => expired.push(entry.name),
      () => nowMs,
    );
  });
  afterEach(() => vi.useRealTimers());

  it('expires entries at their deadlines in deadline order, whatever order they came in', () => {
    timer.add(new Entry('b', 20));
    timer.add(new Entry('a', 10));
    timer.add(new Entry('c', 20));
    timer.add(new Entry('d', 30));
    advance(9);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toEqual(['a']);
    advance(10);
    expect(expired).toEqual(['a', 'b', 'c']);
    advance(10);
    expect(expired).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never expires a removed entry (head, middle or tail), and holds no timer once empty', () => {
    const entries = [new Entry('a', 10), new Entry('b', 20), new Entry('c', 30), new Entry('d', 40)];
    for (const entry of entries) timer.add(entry);
    timer.delete(entries[0]!);
    timer.delete(entries[2]!);
    timer.delete(entries[2]!); // twice is harmless
    advance(25);
    expect(expired).toEqual(['b']);
    timer.delete(entries[3]!);
    expect(vi.getTimerCount()).toBe(0);
    advance(100);
    expect(expired).toEqual(['b']);
  });

  it('re-arms for an entry added with an earlier deadline than the armed one', () => {
    timer.add(new Entry('late', 100));
    timer.add(new Entry('early', 5));
    advance(5);
    expect(expired).toEqual(['early']);
    advance(95);
    expect(expired).toEqual(['early', 'late']);
  });
});
