import { STEP_MS } from '@fraud/paysim';
import type { Prng } from './prng.ts';

const DAY_MS = 86_400_000;

/** Relative activity per UTC hour of day: quiet nights, a morning ramp, busy afternoons. */
const HOUR_OF_DAY = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.8, 1.0, 1.1, 1.15, 1.2, 1.15, 1.1, 1.1, 1.1, 1.15, 1.2,
  1.15, 1.0, 0.8, 0.6, 0.4,
];
/** Sunday = 0 (as Date#getUTCDay). Weekends are quieter. */
const DAY_OF_WEEK = [0.75, 1, 1, 1, 1, 1.05, 0.9];

export function hourOfDay(timeMs: number): number {
  return Math.floor((((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / STEP_MS);
}

export function isNight(timeMs: number): boolean {
  const h = hourOfDay(timeMs);
  return h < 6 || h >= 22;
}

/**
 * Spreads the requested volume over the simulated hours (daily and weekly cycles, a little noise
 * per hour) and sets the cumulative fraud target per hour. Fraud follows a flatter curve than
 * legit traffic: fraudsters work nights too, which is a signal, but not a clean one.
 */
export class Calendar {
  private readonly legitCumulative: Float64Array;
  private readonly fraudCumulative: Float64Array;

  constructor(
    readonly startTimeMs: number,
    readonly hours: number,
    private readonly transactions: number,
    private readonly fraudRate: number,
    prng: Prng,
  ) {
    this.legitCumulative = new Float64Array(hours);
    this.fraudCumulative = new Float64Array(hours);
    let legit = 0;
    let fraud = 0;
    for (let h = 0; h < hours; h += 1) {
      const t = startTimeMs + h * STEP_MS;
      const dow = (Math.floor(t / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
      const w = HOUR_OF_DAY[hourOfDay(t)]! * DAY_OF_WEEK[dow]! * prng.logNormal(1, 0.1);
      legit += w;
      fraud += 0.6 * 0.77 + 0.4 * w; // 0.77 ~ mean of HOUR_OF_DAY
      this.legitCumulative[h] = legit;
      this.fraudCumulative[h] = fraud;
    }
  }

  /** Transactions planned for hour h (exact integer split of the total over the planned hours). */
  quota(h: number): number {
    if (h >= this.hours) return Math.ceil(this.transactions / this.hours); // overrun: keep the average pace
    const total = this.legitCumulative[this.hours - 1]!;
    const upTo = Math.round((this.transactions * this.legitCumulative[h]!) / total);
    const before = h === 0 ? 0 : Math.round((this.transactions * this.legitCumulative[h - 1]!) / total);
    return upTo - before;
  }

  /** Fraud transactions that should exist by the end of hour h. */
  fraudTarget(h: number): number {
    const expected = this.transactions * this.fraudRate;
    if (h >= this.hours) return expected * (1 + (h - this.hours + 1) / this.hours);
    return (expected * this.fraudCumulative[h]!) / this.fraudCumulative[this.hours - 1]!;
  }
}
