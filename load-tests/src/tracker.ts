/**
 * Matches decisions to transactions by id (the decision's key is the transaction id): counts each
 * id's decisions (lost = none, duplicated = more than one) and records the decision record's
 * Kafka timestamp (CreateTime, set by the scorer's producer) and when the reader saw it.
 */
import { parseTransactionId } from './workload.ts';

export class PhaseTrack {
  /** Wall-clock ms at which the driver handed each transaction to the producer (NaN = not sent). */
  readonly sentAtMs: Float64Array;
  /** Kafka CreateTime of the first decision per transaction (NaN = none yet). */
  readonly decidedAtMs: Float64Array;
  /** Wall-clock ms at which the read_committed reader received the first decision. */
  readonly seenAtMs: Float64Array;
  readonly hits: Uint16Array;
  acked = 0;
  unique = 0;
  total = 0;

  constructor(readonly count: number) {
    this.sentAtMs = new Float64Array(count).fill(NaN);
    this.decidedAtMs = new Float64Array(count).fill(NaN);
    this.seenAtMs = new Float64Array(count).fill(NaN);
    this.hits = new Uint16Array(count);
  }

  get duplicated(): number {
    return this.total - this.unique;
  }
}

export class DecisionTracker {
  private readonly phases = new Map<number, PhaseTrack>();
  /** Decisions whose key is not a transaction of this run (should stay 0). */
  foreign = 0;

  track(phase: number, count: number): PhaseTrack {
    const track = new PhaseTrack(count);
    this.phases.set(phase, track);
    return track;
  }

  record(key: string, createTimeMs: number, seenAtMs: number): void {
    const id = parseTransactionId(key);
    const track = id && this.phases.get(id.phase);
    if (!id || !track || id.index >= track.count) {
      this.foreign++;
      return;
    }
    track.total++;
    if (track.hits[id.index]!++ === 0) {
      track.unique++;
      track.decidedAtMs[id.index] = createTimeMs;
      track.seenAtMs[id.index] = seenAtMs;
    }
  }
}
