/**
 * Per-account state and its update rule: the TypeScript twin of redis/account-update.lua.
 * Every step here has a line-for-line counterpart in the script (same order, same arithmetic on
 * integer-valued doubles), and the parity test compares both bit for bit. Change both or neither.
 *
 * State = header (HEADER_FIELDS doubles) + two bucket queues, oldest first, one entry per non-empty
 * bucket: [bucketIndex, outCount, outSum, inCount, inSum]. The header keeps running window totals,
 * so reading a window never walks the buckets; buckets are only walked when they fall out.
 */
import {
  HISTORY_HORIZON_MS,
  LONG_WINDOW_BUCKETS,
  SHORT_BUCKET_MS,
  SHORT_PER_LONG,
  SHORT_WINDOW_BUCKETS,
} from './parameters.ts';
import type { AccountView } from './view.ts';

/** Header slots (Lua index = slot + 1). Slots 1..16 are the AccountView, in VIEW_FIELDS order. */
export const H = {
  head: 0, // short-bucket index of the latest update: the account's clock never runs backwards
  lastEventTime: 1,
  outCount: 2,
  outSum: 3,
  outMax: 4,
  inCount: 5,
  inSum: 6,
  lastInTransfer: 7,
  lastInTransferTime: 8,
  out1hCount: 9, // running totals of the short queue: out count, out sum, in count, in sum
  out24hCount: 13, // running totals of the long queue, same four
  shortEntries: 17, // entries in the short queue, to split the two queues in the encoded form
} as const;
export const HEADER_FIELDS = 18;
export const ENTRY_FIELDS = 5;

export interface AccountState {
  header: Float64Array;
  /** 5-minute buckets of the 1h window, flat entries of ENTRY_FIELDS. */
  short: number[];
  /** 1-hour buckets of the 24h window, flat entries of ENTRY_FIELDS. */
  long: number[];
}

/** Bit flags: which side(s) of the transaction the account is on. Both = a self-transfer. */
export const Role = { OUT: 1, IN: 2, BOTH: 3 } as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface AccountEvent {
  eventTime: number;
  amountMinor: number;
  role: Role;
  /** Only read for the incoming side: remembers the amount for the cash-out features. */
  isTransfer: boolean;
}

export function emptyAccountState(): AccountState {
  return { header: new Float64Array(HEADER_FIELDS), short: [], long: [] };
}

export function cloneAccountState(s: AccountState): AccountState {
  return { header: Float64Array.from(s.header), short: s.short.slice(), long: s.long.slice() };
}

/** Drops queue entries older than `oldest`, taking them out of the running totals at header[total..total+3]. */
function evict(queue: number[], oldest: number, h: Float64Array, total: number): void {
  let drop = 0;
  while (drop < queue.length && queue[drop]! < oldest) {
    h[total] = h[total]! - queue[drop + 1]!;
    h[total + 1] = h[total + 1]! - queue[drop + 2]!;
    h[total + 2] = h[total + 2]! - queue[drop + 3]!;
    h[total + 3] = h[total + 3]! - queue[drop + 4]!;
    drop += ENTRY_FIELDS;
  }
  if (drop > 0) queue.splice(0, drop);
}

function addToQueue(queue: number[], bucket: number, oc: number, os: number, ic: number, is: number): void {
  const last = queue.length - ENTRY_FIELDS;
  if (last >= 0 && queue[last] === bucket) {
    queue[last + 1] = queue[last + 1]! + oc;
    queue[last + 2] = queue[last + 2]! + os;
    queue[last + 3] = queue[last + 3]! + ic;
    queue[last + 4] = queue[last + 4]! + is;
  } else {
    queue.push(bucket, oc, os, ic, is);
  }
}

function viewOf(h: Float64Array): AccountView {
  return {
    lastEventTime: h[1]!,
    outCount: h[2]!,
    outSumMinor: h[3]!,
    outMaxMinor: h[4]!,
    inCount: h[5]!,
    inSumMinor: h[6]!,
    lastInTransferMinor: h[7]!,
    lastInTransferTime: h[8]!,
    out1hCount: h[9]!,
    out1hSumMinor: h[10]!,
    in1hCount: h[11]!,
    in1hSumMinor: h[12]!,
    out24hCount: h[13]!,
    out24hSumMinor: h[14]!,
    in24hCount: h[15]!,
    in24hSumMinor: h[16]!,
  };
}

/**
 * Ages the state to the event's time (horizon reset, window eviction) and returns the view the
 * event's features are computed from. Mutates `state`; the first half of the update.
 */
export function ageAccountState(state: AccountState, eventTime: number): AccountView {
  const h = state.header;
  if (eventTime - h[H.lastEventTime]! > HISTORY_HORIZON_MS) {
    h.fill(0);
    state.short.length = 0;
    state.long.length = 0;
  }
  // A late event (older than the account's latest bucket) is placed in the latest bucket: windows
  // only move forward, so processing order, not event-time order, decides what is "before".
  let bucket = Math.floor(eventTime / SHORT_BUCKET_MS);
  if (bucket < h[H.head]!) bucket = h[H.head]!;
  h[H.head] = bucket;
  evict(state.short, bucket - SHORT_WINDOW_BUCKETS + 1, h, H.out1hCount);
  evict(state.long, Math.floor(bucket / SHORT_PER_LONG) - LONG_WINDOW_BUCKETS + 1, h, H.out24hCount);
  return viewOf(h);
}

/** Adds the event to an aged state (the second half of the update). Mutates `state`. */
export function addEventToAccountState(state: AccountState, ev: AccountEvent): void {
  const h = state.header;
  const t = ev.eventTime;
  const amt = ev.amountMinor;
  let oc = 0;
  let os = 0;
  let ic = 0;
  let is = 0;
  if (ev.role !== Role.IN) {
    oc = 1;
    os = amt;
    h[H.outCount] = h[H.outCount]! + 1;
    h[H.outSum] = h[H.outSum]! + amt;
    if (amt > h[H.outMax]!) h[H.outMax] = amt;
  }
  if (ev.role !== Role.OUT) {
    ic = 1;
    is = amt;
    h[H.inCount] = h[H.inCount]! + 1;
    h[H.inSum] = h[H.inSum]! + amt;
    if (ev.isTransfer) {
      h[H.lastInTransfer] = amt;
      h[H.lastInTransferTime] = t;
    }
  }
  if (t > h[H.lastEventTime]!) h[H.lastEventTime] = t;
  for (const base of [H.out1hCount, H.out24hCount]) {
    h[base] = h[base]! + oc;
    h[base + 1] = h[base + 1]! + os;
    h[base + 2] = h[base + 2]! + ic;
    h[base + 3] = h[base + 3]! + is;
  }
  const bucket = h[H.head]!;
  addToQueue(state.short, bucket, oc, os, ic, is);
  addToQueue(state.long, Math.floor(bucket / SHORT_PER_LONG), oc, os, ic, is);
  h[H.shortEntries] = state.short.length / ENTRY_FIELDS;
}

/** The whole update, in place: returns the prior view (aged to the event's time). */
export function updateAccountStateInPlace(state: AccountState, ev: AccountEvent): AccountView {
  const prior = ageAccountState(state, ev.eventTime);
  addEventToAccountState(state, ev);
  return prior;
}

/**
 * The pure state transition: (prior state, event) -> (view for the event's features, next state).
 * `undefined` is an account never seen (or expired).
 */
export function nextState(
  prior: AccountState | undefined,
  ev: AccountEvent,
): { view: AccountView; next: AccountState } {
  const next = prior ? cloneAccountState(prior) : emptyAccountState();
  const view = updateAccountStateInPlace(next, ev);
  return { view, next };
}

/** The byte layout the Redis script stores: header, short queue, long queue, all little-endian doubles. */
export function encodeAccountState(s: AccountState): Buffer {
  const buf = Buffer.alloc((HEADER_FIELDS + s.short.length + s.long.length) * 8);
  let o = 0;
  for (const v of s.header) o = buf.writeDoubleLE(v, o);
  for (const v of s.short) o = buf.writeDoubleLE(v, o);
  for (const v of s.long) o = buf.writeDoubleLE(v, o);
  return buf;
}

export function decodeAccountState(buf: Buffer): AccountState {
  const n = buf.length / 8;
  if (!Number.isInteger(n) || n < HEADER_FIELDS || (n - HEADER_FIELDS) % ENTRY_FIELDS !== 0) {
    throw new RangeError(`not an encoded account state (${buf.length} bytes)`);
  }
  const all: number[] = [];
  for (let o = 0; o < buf.length; o += 8) all.push(buf.readDoubleLE(o));
  const header = Float64Array.from(all.slice(0, HEADER_FIELDS));
  const shortEnd = HEADER_FIELDS + header[H.shortEntries]! * ENTRY_FIELDS;
  return { header, short: all.slice(HEADER_FIELDS, shortEnd), long: all.slice(shortEnd) };
}
