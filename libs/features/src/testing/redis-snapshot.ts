import type { Redis } from 'ioredis';
import { featureKeyPattern } from '../redis/delete-keys.ts';

/**
 * Every key of the feature store under `prefix` (`{<prefix>:<shard>}...`) with its type, value
 * and TTL presence, keyed without the prefix, so two prefixes' states compare directly. Two
 * pipelined round trips per SCAN page (types, then values and TTLs), not several per key: on a
 * starved machine one Redis round trip can take tens of milliseconds.
 */
export async function redisSnapshot(redis: Redis, prefix: string): Promise<Map<string, unknown>> {
  const snapshot = new Map<string, unknown>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', featureKeyPattern(prefix), 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const typeReplies = (await keys.reduce((p, key) => p.type(key), redis.pipeline()).exec()) ?? [];
    const types = typeReplies.map(([error, type]) => {
      if (error) throw error;
      return String(type);
    });
    const reads = redis.pipeline();
    keys.forEach((key, i) => {
      const type = types[i];
      if (type === 'string') reads.getBuffer(key);
      else if (type === 'hash') reads.hgetall(key);
      else if (type === 'zset') reads.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'list') reads.lrange(key, 0, -1);
      else reads.type(key);
      reads.pttl(key);
    });
    const replies = (await reads.exec()) ?? [];
    keys.forEach((key, i) => {
      const [valueError, value] = replies[2 * i] ?? [new Error(`no reply for ${key}`)];
      const [ttlError, ttl] = replies[2 * i + 1] ?? [new Error(`no TTL reply for ${key}`)];
      if (valueError) throw valueError;
      if (ttlError) throw ttlError;
      snapshot.set(key.slice(prefix.length + 1), { type: types[i], value, hasTtl: Number(ttl) > 0 });
    });
  } while (cursor !== '0');
  return snapshot;
}
