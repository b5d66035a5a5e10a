import type { LabeledTransaction } from '@fraud/paysim';

/** What an action does when its time comes: emit one transaction, or nothing (e.g. no funds). */
export type ActionRun = (timeMs: number) => LabeledTransaction | null;

export interface Action {
  timeMs: number;
  /** Insertion order: breaks time ties, so equal times replay identically for a seed. */
  seq: number;
  /** For the common plain legit action, the customer (run is null; saves a closure per action). */
  account: number;
  run: ActionRun | null;
}

function before(a: Action, b: Action): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

/**
 * Binary min-heap of pending actions by (time, seq). Episodes schedule follow-ups (a mule's
 * cash-out minutes after the transfer) while the hour is being emitted, so a sorted list per hour
 * is not enough.
 */
export class ActionQueue {
  private readonly heap: Action[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(timeMs: number, run: ActionRun | null, account = -1): void {
    const heap = this.heap;
    const item: Action = { timeMs: Math.floor(timeMs), seq: this.seq++, account, run };
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  peekTime(): number {
    return this.heap[0]?.timeMs ?? Number.POSITIVE_INFINITY;
  }

  pop(): Action | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
