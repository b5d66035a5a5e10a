/**
 * Feature-store benchmark against a real Redis (REDIS_URL or .local/stack.env), own key prefix,
 * keys deleted afterwards. Writes a JSON ARRAY, one object per batch size:
 *   { batch, tx, seconds, tx_per_s, redis_cpu_us_per_tx, redis_script_us_per_tx, redis_commands_us_per_tx,
 *     client_cpu_us_per_tx, in_flight, shards }
 * redis_cpu_us_per_tx: INFO cpu (used_cpu_sys + used_cpu_user) delta of the whole server / tx
 *   (includes anything else that server did meanwhile: run it on a quiet Redis).
 * redis_script_us_per_tx: INFO commandstats eval+evalsha usec delta / tx (script time only).
 * redis_commands_us_per_tx: the part of that spent in the Redis commands the script calls
 *   (commandstats of MGET, SET, HMGET, HSET, PEXPIRE, ...); the rest is Lua work and call overhead.
 * client_cpu_us_per_tx: process.cpuUsage() delta / tx (this process: generating nothing, only
 *   building pipelines, ioredis, decoding views, computing features).
 *
 * npm run bench:features -- --json out.json [--count 200000] [--max-seconds 30] [--batches 64,512] [--in-flight 1] [--shards 64]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisFeatureStore } from '@fraud/features';
import { stackSettings, uniqueName } from '@fraud/test-support';
import { generateTransactions } from '../src/testing/generate-transactions.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    count: { type: 'string', default: '200000' },
    'max-seconds': { type: 'string', default: '30' },
    batches: { type: 'string', default: '64,512' },
    'in-flight': { type: 'string', default: '1' },
    shards: { type: 'string', default: '64' },
  },
});
const count = Number(values.count);
const maxMs = Number(values['max-seconds']) * 1000;
const inFlight = Number(values['in-flight']);
const batches = values.batches.split(',').map(Number);
const shards = Number(values.shards);

async function serverCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_sys') + field('used_cpu_user');
}

/** Commands the feature script calls (inside a script, Redis counts them in commandstats too). */
const SCRIPT_COMMANDS = new Set(['get', 'mget', 'set', 'hget', 'hmget', 'hset', 'hsetnx', 'pexpire', 'pttl']);

async function scriptUsec(redis: Redis): Promise<{ script: number; commands: number }> {
  const info = await redis.info('commandstats');
  let script = 0;
  let commands = 0;
  for (const m of info.matchAll(/cmdstat_([a-z|]+):calls=\d+,usec=(\d+)/g)) {
    if (m[1] === 'eval' || m[1] === 'evalsha') script += Number(m[2]);
    else if (SCRIPT_COMMANDS.has(m[1]!)) commands += Number(m[2]);
  }
  return { script, commands };
}

async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) n += await redis.unlink(...keys);
  } while (cursor !== '0');
  return n;
}

const redis = new Redis(stackSettings().redisUrl, { maxRetriesPerRequest: 1 });
const { txs } = generateTransactions({ count, seed: 7 });
const results = [];
try {
  for (const batch of batches) {
    const prefix = uniqueName('fsbench');
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards });
    await store.applyBatch(txs.slice(0, batch)); // loads the script, warms the connection
    let next = batch;
    const cpu0 = await serverCpuSeconds(redis);
    const script0 = await scriptUsec(redis);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + maxMs;
    const worker = async () => {
      while (next < txs.length && performance.now() < deadline) {
        const slice = txs.slice(next, next + batch);
        next += batch;
        await store.applyBatch(slice);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(client0);
    const cpu1 = await serverCpuSeconds(redis);
    const script1 = await scriptUsec(redis);
    const n = Math.min(next, txs.length) - batch;
    results.push({
      batch,
      tx: n,
      seconds: Number(seconds.toFixed(3)),
      tx_per_s: Math.round(n / seconds),
      redis_cpu_us_per_tx: Number((((cpu1 - cpu0) * 1e6) / n).toFixed(2)),
      redis_script_us_per_tx: Number(((script1.script - script0.script) / n).toFixed(2)),
      redis_commands_us_per_tx: Number(((script1.commands - script0.commands) / n).toFixed(2)),
      client_cpu_us_per_tx: Number(((client.user + client.system) / n).toFixed(2)),
      in_flight: inFlight,
      shards,
    });
    console.log(JSON.stringify(results.at(-1)));
    await deletePrefix(redis, prefix);
  }
} finally {
  redis.disconnect();
}
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
