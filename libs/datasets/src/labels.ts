import { MATURED_LABEL_SOURCE } from './format.ts';

/** One FraudLabel event with where it was read from (its audit identity). */
export interface LabelEvent {
  transactionId: string;
  isFraud: boolean;
  source: string;
  labeledAtMs: number;
  partition: number;
  offset: string;
}

/** The label a transaction gets at one instant. */
export type ResolvedLabel =
  | { kind: 'labelled'; label: 0 | 1; source: string; event: LabelEvent; corrected: boolean }
  | { kind: 'matured'; label: 0; source: typeof MATURED_LABEL_SOURCE }
  | { kind: 'immature' };

/**
 * Every label event per transaction, in arrival order: the audit trail. Labels come late, more
 * than once, and get corrected (an analyst overturns a chargeback, a customer withdraws a claim),
 * so nothing is overwritten; the verdict at an instant is computed from the events known then.
 *
 * "Last verdict wins" = the event with the latest `labeledAt` at or before the instant; events
 * with equal `labeledAt` are ordered by arrival (labels are keyed by transaction id, so one
 * transaction's labels share a partition and its offsets order them).
 */
export class LabelBook {
  private readonly events = new Map<string, LabelEvent[]>();
  private count = 0;

  add(event: LabelEvent): void {
    let list = this.events.get(event.transactionId);
    if (!list) {
      list = [];
      this.events.set(event.transactionId, list);
    }
    list.push(event);
    this.count += 1;
  }

  /** Label events read. */
  get eventCount(): number {
    return this.count;
  }

  /** Transactions with at least one label event. */
  get transactionCount(): number {
    return this.events.size;
  }

  transactionIds(): IterableIterator<string> {
    return this.events.keys();
  }

  /** All events of a transaction in arrival order (empty when never labelled). */
  eventsOf(transactionId: string): readonly LabelEvent[] {
    return this.events.get(transactionId) ?? [];
  }

  /** The winning event at `asOfMs`, and whether earlier known events said otherwise. */
  verdictAsOf(transactionId: string, asOfMs: number): { event: LabelEvent; corrected: boolean } | undefined {
    const list = this.events.get(transactionId);
    if (!list) return undefined;
    let winner: LabelEvent | undefined;
    let sawFraud = false;
    let sawLegit = false;
    for (const event of list) {
      if (event.labeledAtMs > asOfMs) continue;
      if (event.isFraud) sawFraud = true;
      else sawLegit = true;
      if (!winner || event.labeledAtMs >= winner.labeledAtMs) winner = event;
    }
    return winner ? { event: winner, corrected: sawFraud && sawLegit } : undefined;
  }

  /** Events labelled after `asOfMs` (ignored by a dataset cut at that instant). */
  countAfter(asOfMs: number): number {
    let n = 0;
    for (const list of this.events.values()) for (const e of list) if (e.labeledAtMs > asOfMs) n += 1;
    return n;
  }
}

/**
 * The label of a transaction at `asOfMs`: its last verdict known then; else legitimate when it
 * is older than the maturity window (no chargeback or report came in time); else unknown yet.
 */
export function resolveLabel(
  book: LabelBook,
  transactionId: string,
  eventTimeMs: number,
  asOfMs: number,
  maturityMs: number,
): ResolvedLabel {
  const verdict = book.verdictAsOf(transactionId, asOfMs);
  if (verdict) {
    return {
      kind: 'labelled',
      label: verdict.event.isFraud ? 1 : 0,
      source: verdict.event.source,
      event: verdict.event,
      corrected: verdict.corrected,
    };
  }
  if (asOfMs - eventTimeMs >= maturityMs) return { kind: 'matured', label: 0, source: MATURED_LABEL_SOURCE };
  return { kind: 'immature' };
}
