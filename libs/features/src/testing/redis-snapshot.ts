import type { Redis } from 'ioredis';
import { featureKeyPattern } from '../redis/delete-keys.ts';

/**
 * Every key of the feature store under `prefix` (`{<prefix>:<shard>}...`) with its type, value
 * and TTL presence, keyed without the prefix, so two prefixes' states compare directly.
 */
export async function redisSnapshot(redis: Redis, prefix: string): Promise<Map<string, unknown>> {
  const snapshot = new Map<string, unknown>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', featureKeyPattern(prefix), 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.getBuffer(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else value = type;
      snapshot.set(key.slice(prefix.length + 1), { type, value, hasTtl: (await redis.pttl(key)) > 0 });
    }
  } while (cursor !== '0');
  return snapshot;
}
