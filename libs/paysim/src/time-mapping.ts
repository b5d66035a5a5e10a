import { DEFAULT_START_TIME_MS, STEP_MS } from './format.ts';

/**
 * Spacing of consecutive rows inside one step. PaySim records only the hour, so the importer
 * invents a within-hour time that keeps file order: the k-th row of a step (0-based, in file
 * order) happens k * spacing after the hour starts. 50 ms fits 72,000 rows in an hour, above the
 * busiest step of the public dataset; rows past the hour's end are pinned to its last millisecond
 * (order then rests on the stable file order of equal times).
 * @default 50
 */
export const DEFAULT_WITHIN_STEP_SPACING_MS = 50;

/** @default 'ps-' */
export const DEFAULT_ID_PREFIX = 'ps-';

/** The importer's transactionId rule: `<prefix><row>`, row = 0-based data-row index in the file. */
export function transactionIdOf(row: number, prefix = DEFAULT_ID_PREFIX): string {
  return `${prefix}${row}`;
}

export interface TimeMappingOptions {
  /** Event time of the start of step 1. @default DEFAULT_START_TIME_MS (2025-01-01T00:00:00Z) */
  startTimeMs?: number;
  /** @default DEFAULT_WITHIN_STEP_SPACING_MS */
  withinStepSpacingMs?: number;
}

/** eventTime = start + (step - 1) hours + min(indexInStep * spacing, 1 h - 1 ms). */
export function eventTimeOf(step: number, indexInStep: number, options: TimeMappingOptions = {}): number {
  const start = options.startTimeMs ?? DEFAULT_START_TIME_MS;
  const spacing = options.withinStepSpacingMs ?? DEFAULT_WITHIN_STEP_SPACING_MS;
  return start + (step - 1) * STEP_MS + Math.min(indexInStep * spacing, STEP_MS - 1);
}

/** The step (1-based hour) an event time falls in; the inverse of eventTimeOf's hour part. */
export function stepOf(eventTimeMs: number, startTimeMs = DEFAULT_START_TIME_MS): number {
  return Math.floor((eventTimeMs - startTimeMs) / STEP_MS) + 1;
}

/**
 * Tracks each row's index within its step while streaming. A step change (in either direction)
 * restarts the count, so an unsorted file still maps every row, just not monotonically.
 */
export class StepClock {
  private step = Number.NaN;
  private indexInStep = 0;

  constructor(private readonly options: TimeMappingOptions = {}) {}

  next(step: number): number {
    if (step !== this.step) {
      this.step = step;
      this.indexInStep = 0;
    }
    return eventTimeOf(step, this.indexInStep++, this.options);
  }
}
