/** What the timer needs of an entry: its deadline and the links of the timer's list. */
export interface DeadlineEntry {
  /** `performance.now()` time at which the entry expires. */
  readonly deadlineAt: number;
  prevByDeadline: DeadlineEntry | null;
  nextByDeadline: DeadlineEntry | null;
  inDeadlines: boolean;
}

/**
 * Deadlines of many entries on ONE timer. A `setTimeout` per request costs a Timeout object and a
 * closure per request, both alive for up to the deadline (so they survive young-generation GCs
 * at load); here the entries form a list in deadline order (an intrusive doubly linked list:
 * O(1) removal, and insertion from the tail is O(1) when deadlines come in order, as equal
 * deadlines do) and one timer is armed for the earliest. Removing an entry does not re-arm the
 * timer: when it fires early it just re-arms for the new head.
 */
export class DeadlineTimer<T extends DeadlineEntry> {
  private head: DeadlineEntry | null = null;
  private tail: DeadlineEntry | null = null;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    private readonly onExpire: (entry: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(entry: T): void {
    let after = this.tail;
    while (after && after.deadlineAt > entry.deadlineAt) after = after.prevByDeadline;
    entry.prevByDeadline = after;
    entry.nextByDeadline = after ? after.nextByDeadline : this.head;
    if (entry.nextByDeadline) entry.nextByDeadline.prevByDeadline = entry;
    else this.tail = entry;
    if (after) after.nextByDeadline = entry;
    else this.head = entry;
    entry.inDeadlines = true;
    if (entry.deadlineAt < this.armedFor) this.arm();
  }

  delete(entry: T): void {
    if (!entry.inDeadlines) return;
    if (entry.prevByDeadline) entry.prevByDeadline.nextByDeadline = entry.nextByDeadline;
    else this.head = entry.nextByDeadline;
    if (entry.nextByDeadline) entry.nextByDeadline.prevByDeadline = entry.prevByDeadline;
    else this.tail = entry.prevByDeadline;
    entry.prevByDeadline = entry.nextByDeadline = null;
    entry.inDeadlines = false;
    // Nothing left to time: an idle (or closed) API holds no timer.
    if (!this.head) this.disarm();
  }

  private arm(): void {
    const head = this.head;
    this.disarm();
    if (!head) return;
    this.armedFor = head.deadlineAt;
    // setTimeout counts whole ms and may fire a fraction of one early: fire() re-arms if so.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(head.deadlineAt - this.now())));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    while (this.head && this.head.deadlineAt <= now) {
      const entry = this.head as T;
      this.delete(entry);
      this.onExpire(entry);
    }
    this.arm();
  };
}
