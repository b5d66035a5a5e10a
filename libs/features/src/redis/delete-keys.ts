import type { Redis } from 'ioredis';

/** SCAN pattern of every feature-store key under `prefix` (keys are `{<prefix>:<shard>}:...`, see keys.ts). */
export function featureKeyPattern(prefix: string): string {
  return `{${prefix}:*`;
}

/**
 * Deletes every feature-store key under `prefix` (a test run's or a load run's private state) and
 * returns how many were deleted. Bounded: at most `maxScans` SCAN calls of 1000 keys each.
 */
export async function deleteFeatureKeys(redis: Redis, prefix: string, maxScans = 100_000): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let calls = 0; calls < maxScans; calls++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', featureKeyPattern(prefix), 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}
