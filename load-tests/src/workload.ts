/**
 * Pre-encoded load: PaySim-grade transactions from the simulator, their event times re-spaced to
 * the rate profile, encoded in the Confluent wire format BEFORE the clock starts, so the driver's
 * hot loop only hands ready buffers to the producer.
 */
import type { ContractSerde, Transaction } from '@fraud/contracts';
import { simulate } from '@fraud/simulator';
import {
  STORM_TRANSACTIONS_PER_CUSTOMER,
  profileDurationS,
  totalTransactions,
  dueBy,
  type RateProfile,
} from './scenarios.ts';

export interface Workload {
  /** Phase number: transaction ids are `b<phase>-<index>`, so a decision's key names its slot. */
  phase: number;
  count: number;
  keys: Buffer[];
  values: Buffer[];
  /** Planned send offset of each transaction from the phase start, milliseconds. */
  offsetMs: Float64Array;
  encodeMs: number;
}

export const transactionIdPrefix = (phase: number): string => `b${phase}-`;

/** Parses `b<phase>-<index>`; undefined for anything else. */
export function parseTransactionId(id: string): { phase: number; index: number } | undefined {
  if (id.charCodeAt(0) !== 98 /* b */) return undefined;
  const dash = id.indexOf('-');
  if (dash < 2) return undefined;
  const phase = Number(id.slice(1, dash));
  const index = Number(id.slice(dash + 1));
  if (!Number.isInteger(phase) || !Number.isInteger(index) || index < 0) return undefined;
  return { phase, index };
}

/** When each transaction is due (ms from the phase start), by walking the profile in 1 ms steps. */
export function plannedOffsets(profile: RateProfile, count: number): Float64Array {
  const offsets = new Float64Array(count);
  const endMs = Math.ceil(profileDurationS(profile) * 1000);
  let i = 0;
  for (let ms = 0; ms <= endMs && i < count; ms++) {
    const due = Math.min(count, dueBy(profile, ms / 1000));
    while (i < due) offsets[i++] = ms;
  }
  while (i < count) offsets[i++] = endMs;
  return offsets;
}

export function buildWorkload(
  phase: number,
  profile: RateProfile,
  serde: ContractSerde<Transaction>,
  seed: number,
  customers?: number,
  startMs = Date.now(),
): Workload {
  const count = totalTransactions(profile);
  const offsetMs = plannedOffsets(profile, count);
  const keys: Buffer[] = new Array<Buffer>(count);
  const values: Buffer[] = new Array<Buffer>(count);
  const started = performance.now();
  let i = 0;
  for (const { tx } of simulate({
    seed,
    transactions: count,
    startTimeMs: startMs,
    idPrefix: transactionIdPrefix(phase),
    // Default one customer per transaction: 60 s of load is 60 s of event time here, so the
    // simulator's default (transactions / 25 customers) would give every account hundreds of
    // transactions a minute, and the velocity features (and the fraud flags) would explode.
    // That explosion is what the storm scenario wants: hot accounts.
    customers: Math.max(
      200,
      customers ?? (profile.name === 'storm' ? Math.ceil(count / STORM_TRANSACTIONS_PER_CUSTOMER) : count),
    ),
  })) {
    // Event time = the planned send time relative to when the workload was built, so event times
    // are never in the future and follow the profile's pace (velocity features see the real rate).
    tx.eventTime = startMs + offsetMs[i]!;
    keys[i] = Buffer.from(tx.originAccountId);
    values[i] = serde.encode(tx);
    i++;
  }
  return { phase, count, keys, values, offsetMs, encodeMs: performance.now() - started };
}

export type BacklogKind = 'normal' | 'storm';

/** Event-time span of a storm backlog per transaction: 10K TPS of event time. */
const STORM_EVENT_SPACING_MS = 0.1;

/**
 * A backlog for drain mode: `count` simulated transactions, all produced before any worker
 * starts. `normal` keeps the simulator's own event times (30 days of PaySim-grade traffic, about
 * 25 transactions per customer, ending now); `storm` is the SAME transactions with their event
 * times compressed into count / 10K seconds, in the same order: every account's transactions fall
 * within seconds of each other (hot accounts), which drives the velocity features and the flagged
 * share up. Ids are `b<phase>-<index>` as in buildWorkload.
 */
export function buildBacklog(
  phase: number,
  count: number,
  kind: BacklogKind,
  serde: Pick<ContractSerde<Transaction>, 'encode'>,
  seed: number,
  customers?: number,
  endMs = Date.now(),
): Workload {
  const days = 30;
  const startMs = endMs - days * 86_400_000;
  const keys: Buffer[] = new Array<Buffer>(count);
  const values: Buffer[] = new Array<Buffer>(count);
  const started = performance.now();
  const stormStartMs = endMs - Math.ceil(count * STORM_EVENT_SPACING_MS);
  let i = 0;
  for (const { tx } of simulate({
    seed,
    transactions: count,
    startTimeMs: startMs,
    days,
    idPrefix: transactionIdPrefix(phase),
    ...(customers === undefined ? {} : { customers: Math.max(200, customers) }),
  })) {
    if (i >= count) break;
    if (kind === 'storm') tx.eventTime = stormStartMs + Math.floor(i * STORM_EVENT_SPACING_MS);
    keys[i] = Buffer.from(tx.originAccountId);
    values[i] = serde.encode(tx);
    i++;
  }
  if (i < count) throw new Error(`the simulator produced ${i} of ${count} transactions`);
  return {
    phase,
    count,
    keys,
    values,
    offsetMs: new Float64Array(count),
    encodeMs: performance.now() - started,
  };
}
