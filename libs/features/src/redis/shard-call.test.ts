import { describe, expect, it } from 'vitest';
import { Role } from '../state.ts';
import { MAX_KEYS_PER_CALL, ShardCallBuilder, type ShardUpdate } from './shard-call.ts';

const update = (over: Partial<ShardUpdate>): ShardUpdate => ({
  stateKey: '{p:1}:a:A',
  idempotencyKey: '{p:1}:i:490000',
  role: Role.OUT,
  isTransfer: false,
  eventTime: 1_764_460_800_123,
  amountMinor: 12_345,
  field: '1tx-1',
  ...over,
});

describe('ShardCallBuilder (account-update.lua call protocol)', () => {
  it('sends each key once (states, then idempotency hashes) and packs the numbers of every update', () => {
    const call = new ShardCallBuilder(7);
    call.add(update({}), 4);
    call.add(update({ stateKey: '{p:1}:m:EUR:500', role: Role.IN, isTransfer: true, field: 'mtx-1' }), 5);
    call.add(
      update({
        stateKey: '{p:1}:a:A',
        idempotencyKey: '{p:1}:i:490001',
        role: Role.BOTH,
        eventTime: 1_764_464_400_000,
        amountMinor: 0,
        field: '3tx-2',
      }),
      9,
    );
    const [numKeys, ...rest] = call.build('93600000', '3600000');
    expect(numKeys).toBe(4);
    expect(rest.slice(0, 4)).toEqual(['{p:1}:a:A', '{p:1}:m:EUR:500', '{p:1}:i:490000', '{p:1}:i:490001']);
    expect(rest.slice(4, 6)).toEqual(['93600000', '3600000']);
    expect(rest.slice(7)).toEqual(['1tx-1', 'mtx-1', '3tx-2']);
    expect(call.replyTo).toEqual([4, 5, 9]);
    expect(call.size).toBe(3);

    const packed = rest[6] as Buffer;
    expect(packed.length).toBe(2 + 3 * 22);
    expect(packed.readUInt16LE(0)).toBe(2); // state keys come first in KEYS
    const decoded = [0, 1, 2].map((u) => {
      const o = 2 + u * 22;
      return [
        packed.readUInt16LE(o),
        packed.readUInt16LE(o + 2),
        packed.readUInt8(o + 4),
        packed.readUInt8(o + 5),
        packed.readDoubleLE(o + 6),
        packed.readDoubleLE(o + 14),
      ];
    });
    // 1-based KEYS indexes, as Lua reads them.
    expect(decoded).toEqual([
      [1, 3, Role.OUT, 0, 1_764_460_800_123, 12_345],
      [2, 3, Role.IN, 1, 1_764_460_800_123, 12_345],
      [1, 4, Role.BOTH, 0, 1_764_464_400_000, 0],
    ]);
  });

  it('refuses a call with more keys than a uint16 index can name', () => {
    const call = new ShardCallBuilder(0);
    for (let i = 0; i <= MAX_KEYS_PER_CALL; i++) call.add(update({ stateKey: `{p:1}:a:${i}` }), i);
    expect(() => call.build('1', '1')).toThrow(/more than 65535: use smaller batches/);
  });
});
