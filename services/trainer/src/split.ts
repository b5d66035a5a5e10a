import type { SplitInfo } from '@fraud/model';
import { TrainingDataError } from './errors.ts';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** Contiguous [start, end) row ranges of the time-ordered dataset. */
export type TimeSplit = Record<SplitName, readonly [number, number]>;

export interface SplitFractions {
  /** @default 0.7 */
  train: number;
  /** @default 0.15 (the test split gets the rest) */
  validation: number;
}

export const DEFAULT_SPLIT: SplitFractions = { train: 0.7, validation: 0.15 };

/** Moves a boundary forward past rows sharing the previous row's event time. */
function clearTies(eventTimes: Float64Array, boundary: number): number {
  let b = boundary;
  while (b > 0 && b < eventTimes.length && eventTimes[b] === eventTimes[b - 1]) b += 1;
  return b;
}

/**
 * Splits rows already in event-time order into train / validation / test by position, so every
 * validation row is strictly later than every train row, and every test row later than every
 * validation row (boundaries never cut a group of equal event times). No shuffling: the model is
 * judged on the future, as it will be used.
 */
export function timeSplit(eventTimes: Float64Array, fractions: SplitFractions = DEFAULT_SPLIT): TimeSplit {
  const { train, validation } = fractions;
  if (!(train > 0 && validation > 0 && train + validation < 1)) {
    throw new TrainingDataError(
      `split fractions train=${train} validation=${validation} must be > 0 and sum below 1`,
    );
  }
  const n = eventTimes.length;
  for (let i = 1; i < n; i += 1) {
    if (eventTimes[i]! < eventTimes[i - 1]!) throw new Error(`rows are not in event-time order at row ${i}`);
  }
  const a = clearTies(eventTimes, Math.round(n * train));
  const b = clearTies(eventTimes, Math.max(a, Math.round(n * (train + validation))));
  const split: TimeSplit = { train: [0, a], validation: [a, b], test: [b, n] };
  for (const name of SPLIT_NAMES) {
    const [s, e] = split[name];
    if (e - s < 1)
      throw new TrainingDataError(`the ${name} split is empty: ${n} rows are too few to split in time`);
  }
  return split;
}

/** Row and positive counts and the event-time span of one split. */
export function describeSplit(
  range: readonly [number, number],
  labels: Int8Array,
  eventTimes: Float64Array,
): SplitInfo {
  const [s, e] = range;
  let positives = 0;
  for (let i = s; i < e; i += 1) if (labels[i] === 1) positives += 1;
  return {
    rows: e - s,
    positives,
    first_event_time: eventTimes[s] ?? 0,
    last_event_time: eventTimes[e - 1] ?? 0,
  };
}

/** Training needs both classes in every split: early stopping and thresholds read validation. */
export function requireBothClasses(name: SplitName, info: SplitInfo): void {
  if (info.positives === 0) {
    throw new TrainingDataError(
      `the ${name} split (${info.rows} rows) has no fraud rows; use more data or other split fractions`,
    );
  }
  if (info.positives === info.rows) throw new TrainingDataError(`the ${name} split has no legitimate rows`);
}
