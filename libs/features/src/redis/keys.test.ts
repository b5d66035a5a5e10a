import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { accountKey, idempotencyKey, keySlot, shardOf, shardTag } from './keys.ts';

const clusterKeySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

describe('key layout', () => {
  it("keySlot is Redis Cluster's CRC16 slot, hash tags included", () => {
    for (const k of [
      'a',
      'foo',
      '{user1000}.following',
      'x{}y',
      'foo{{bar}}zap',
      'C123456789',
      '{fs:12}:a:C1',
      'ünïcode',
      '{a',
      'a}b{c}',
    ]) {
      expect(keySlot(k), k).toBe(clusterKeySlot(k));
    }
    // The cluster spec: "foo{}{bar}" hashes the whole key (cluster-key-slot 1.1 gets this one wrong).
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
  });

  it('all keys of one shard share one slot, whatever the ids contain', () => {
    const tag = shardTag('pfx', 7);
    const slots = new Set(
      [accountKey(tag, 'C1'), accountKey(tag, 'we}ird{id'), idempotencyKey(tag, Date.UTC(2024, 0, 1))].map(
        keySlot,
      ),
    );
    expect(slots.size).toBe(1);
  });

  it('spreads accounts evenly and stably over shards', () => {
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_000; i++) counts[shardOf(`C${i}`, 64)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(shardOf('C1231006815', 64)).toBe(shardOf('C1231006815', 64));
  });
});
