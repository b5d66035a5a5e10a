import { describe, expect, it } from 'vitest';
import { HISTORY_HORIZON_MS, LONG_BUCKET_MS, SHORT_BUCKET_MS } from './parameters.ts';
import {
  Role,
  decodeAccountState,
  emptyAccountState,
  encodeAccountState,
  nextState,
  updateAccountStateInPlace,
  type AccountEvent,
  type AccountState,
} from './state.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 0, 10); // bucket-aligned for both windows
const out = (eventTime: number, amountMinor = 100): AccountEvent => ({
  eventTime,
  amountMinor,
  role: Role.OUT,
  isTransfer: false,
});
const inc = (eventTime: number, amountMinor = 100, isTransfer = false): AccountEvent => ({
  eventTime,
  amountMinor,
  role: Role.IN,
  isTransfer,
});

function replay(events: AccountEvent[]): AccountState {
  const s = emptyAccountState();
  for (const e of events) updateAccountStateInPlace(s, e);
  return s;
}
/** The view a new event at time t would see. */
const viewAt = (s: AccountState, t: number) => nextState(s, out(t)).view;

describe('account state windows', () => {
  it('1h window: an event exactly 1h before t is out, 1 ms less is in (event at a bucket start)', () => {
    const s = replay([out(T0, 700)]);
    expect(viewAt(s, T0 + HOUR - 1)).toMatchObject({ out1hCount: 1, out1hSumMinor: 700 });
    expect(viewAt(s, T0 + HOUR)).toMatchObject({ out1hCount: 0, out1hSumMinor: 0, out24hCount: 1 });
  });

  it('1h window is bucketed: an event at the end of a 5-minute bucket leaves 55 min + 1 ms later', () => {
    const e = T0 + SHORT_BUCKET_MS - 1;
    const s = replay([out(e)]);
    expect(viewAt(s, T0 + 12 * SHORT_BUCKET_MS - 1).out1hCount).toBe(1); // 55 min after e: still in
    expect(viewAt(s, T0 + 12 * SHORT_BUCKET_MS).out1hCount).toBe(0); // 55 min + 1 ms after e: out
  });

  it('24h window: an event exactly 24h before t is out; one at the end of an hour leaves 23h + 1 ms later', () => {
    const s = replay([out(T0)]);
    expect(viewAt(s, T0 + DAY - 1).out24hCount).toBe(1);
    expect(viewAt(s, T0 + DAY).out24hCount).toBe(0);
    const e = T0 + LONG_BUCKET_MS - 1;
    const s2 = replay([out(e)]);
    expect(viewAt(s2, T0 + DAY - 1).out24hCount).toBe(1);
    expect(viewAt(s2, T0 + DAY).out24hCount).toBe(0);
  });

  it('keeps outgoing and incoming parts apart and remembers the last incoming transfer', () => {
    const s = replay([out(T0, 10), inc(T0 + 1, 20, true), inc(T0 + 2, 5)]);
    expect(viewAt(s, T0 + 3)).toMatchObject({
      outCount: 1,
      outSumMinor: 10,
      outMaxMinor: 10,
      inCount: 2,
      inSumMinor: 25,
      in1hCount: 2,
      in24hSumMinor: 25,
      lastInTransferMinor: 20,
      lastInTransferTime: T0 + 1,
      lastEventTime: T0 + 2,
    });
  });

  it('a self-transfer (both roles) counts once on each side', () => {
    const s = replay([{ eventTime: T0, amountMinor: 50, role: Role.BOTH, isTransfer: true }]);
    expect(viewAt(s, T0 + 1)).toMatchObject({
      outCount: 1,
      inCount: 1,
      out1hSumMinor: 50,
      in1hSumMinor: 50,
      lastInTransferMinor: 50,
    });
  });

  it('forgets everything after the history horizon, and nothing one millisecond before it', () => {
    const s = replay([out(T0, 10), inc(T0, 10, true)]);
    expect(viewAt(s, T0 + HISTORY_HORIZON_MS).outCount).toBe(1);
    expect(viewAt(s, T0 + HISTORY_HORIZON_MS + 1)).toMatchObject({
      outCount: 0,
      inCount: 0,
      lastEventTime: 0,
      lastInTransferMinor: 0,
    });
  });

  it('puts a late event into the latest bucket: windows never move backwards', () => {
    const s = replay([out(T0 + 2 * HOUR), out(T0)]); // second one arrives late
    const v = viewAt(s, T0 + 2 * HOUR + 1);
    expect(v.out1hCount).toBe(2);
    expect(v.lastEventTime).toBe(T0 + 2 * HOUR);
  });

  it('keeps running totals equal to the buckets still in the window', () => {
    const events: AccountEvent[] = [];
    for (let k = 0; k < 500; k++) events.push((k % 3 ? out : inc)(T0 + k * 7 * 60_000, 1 + k));
    const s = replay(events);
    const sumQueue = (q: number[], field: number) =>
      q.reduce((acc, v, i) => (i % 5 === field ? acc + v : acc), 0);
    expect(s.header[9]).toBe(sumQueue(s.short, 1));
    expect(s.header[10]).toBe(sumQueue(s.short, 2));
    expect(s.header[15]).toBe(sumQueue(s.long, 3));
    expect(s.short.length / 5).toBeLessThanOrEqual(12);
    expect(s.long.length / 5).toBeLessThanOrEqual(24);
  });

  it('nextState is pure and the binary encoding round-trips', () => {
    const prior = replay([out(T0), inc(T0 + HOUR)]);
    const before = encodeAccountState(prior);
    const { next } = nextState(prior, out(T0 + 2 * HOUR));
    expect(encodeAccountState(prior)).toEqual(before);
    expect(decodeAccountState(encodeAccountState(next))).toEqual(next);
  });
});
