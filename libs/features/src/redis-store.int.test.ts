import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { stackSettings, uniqueName } from '@fraud/test-support';
import { FEATURE_NAMES } from './definitions.ts';
import { FeatureStoreConfigError, FeatureStoreUnavailableError, UnusableTransactionError } from './errors.ts';
import { featureRow } from './matrix.ts';
import { MemoryFeatureStore } from './memory-store.ts';
import { HISTORY_HORIZON_MS } from './parameters.ts';
import { accountKey, indexKey, shardOf, shardTag } from './redis/keys.ts';
import { RedisFeatureStore, STATE_TTL_REFRESH_SLACK_SECONDS } from './redis-store.ts';
import { encodeAccountState } from './state.ts';
import { generateTransactions, prng } from './testing/generate-transactions.ts';
import {
  concatRows,
  deletePrefix,
  firstDifference,
  prefixKeys,
  randomBatches,
  tx,
} from './testing/helpers.ts';

const clusterKeySlot = createRequire(import.meta.url)('cluster-key-slot') as {
  generateMulti: (keys: string[]) => number;
};
const SHARDS = 64;
let redis: Redis;
const prefixes: string[] = [];

function newPrefix(): string {
  const p = uniqueName('fstest');
  prefixes.push(p);
  return p;
}

/**
 * Byte equality first, the diffing matcher only on a mismatch: toEqual on 100k+ Buffers took most of
 * the parity test's two minutes.
 */
function expectSameBytes(stored: Buffer | null | undefined, expected: Buffer, id: string): void {
  if (!stored?.equals(expected)) expect(stored, id).toEqual(expected);
}

/** Final Redis state of every account the memory store knows must equal its encoding, byte for byte. */
async function expectSameStates(mem: MemoryFeatureStore, prefix: string): Promise<void> {
  const ids = [...mem.accountIds()];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const stored = await redis.mgetBuffer(
      ...chunk.map((id) => accountKey(shardTag(prefix, shardOf(id, SHARDS)), id)),
    );
    chunk.forEach((id, k) => expectSameBytes(stored[k], encodeAccountState(mem.accountState(id)!), id));
  }
  const stateKeys = (await prefixKeys(redis, prefix)).filter((k) => k.includes('}:a:'));
  expect(stateKeys.length).toBe(ids.length);
  // The index entities (amount index, device and country pairs), stored like accounts.
  const indexes = [...mem.indexStates()];
  expect(indexes.length).toBeGreaterThan(0);
  for (let i = 0; i < indexes.length; i += 1000) {
    const chunk = indexes.slice(i, i + 1000);
    const stored = await redis.mgetBuffer(
      ...chunk.map(([key]) => {
        const kind = key.slice(0, 1);
        return indexKey(shardTag(prefix, shardOf(key, SHARDS)), kind, key.slice(2));
      }),
    );
    chunk.forEach(([key, state], k) => expectSameBytes(stored[k], encodeAccountState(state), key));
  }
  const indexKeys = (await prefixKeys(redis, prefix)).filter((k) => /\}:[mvk]:/.test(k));
  expect(indexKeys.length).toBe(indexes.length);
}

beforeAll(() => {
  redis = new Redis(stackSettings().redisUrl, { maxRetriesPerRequest: 1 });
});
afterEach(async () => {
  for (const p of prefixes.splice(0)) await deletePrefix(redis, p);
});
afterAll(() => redis.disconnect());

describe('RedisFeatureStore against real Redis', () => {
  it('matches the memory store bit for bit over 100k generated transactions, features and final state', async () => {
    const { txs } = generateTransactions({ count: 100_000, seed: 11 });
    const prefix = newPrefix();
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards: SHARDS });
    const mem = new MemoryFeatureStore({ sweepEvery: 1e12 });
    const rnd = prng(1);
    for (const batch of randomBatches(txs, 600, rnd)) {
      const [r, m] = [await store.applyBatch(batch), mem.applyBatchSync(batch)];
      const diff = firstDifference(r.data, m.data);
      if (diff) {
        const row = Math.floor(diff.index / FEATURE_NAMES.length);
        expect.fail(
          `${batch[row]!.transactionId} ${FEATURE_NAMES[diff.index % FEATURE_NAMES.length]}: redis ${diff.a} memory ${diff.b}`,
        );
      }
    }
    await expectSameStates(mem, prefix);
  });

  it('window edges, late events, horizon resets and self-transfers agree with the memory store', async () => {
    const T = Date.UTC(2024, 0, 10);
    const H = 3_600_000;
    const at = [
      0,
      1,
      299_999,
      300_000,
      H - 1,
      H,
      H + 1,
      12 * 300_000 - 1,
      24 * H - 1,
      24 * H,
      24 * H + 5,
      20 * H,
      HISTORY_HORIZON_MS * 2 + 24 * H + 7,
    ];
    const txs: Transaction[] = at.map((dt, k) =>
      tx({
        transactionId: `e${k}`,
        eventTime: T + dt,
        type: k % 3 === 0 ? 'TRANSFER' : 'CASH_OUT',
        originAccountId: k % 2 ? 'A' : 'B',
        destinationAccountId: k % 4 ? 'B' : 'A',
        amountMinor: 100 + k,
      }),
    );
    txs.push(
      tx({
        transactionId: 'self',
        eventTime: T + 24 * H + 9,
        type: 'TRANSFER',
        originAccountId: 'A',
        destinationAccountId: 'A',
      }),
    );
    const prefix = newPrefix();
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards: SHARDS });
    const mem = new MemoryFeatureStore();
    for (const t of txs)
      expect(
        firstDifference((await store.applyBatch([t])).data, mem.applyBatchSync([t]).data),
        t.transactionId,
      ).toBeUndefined();
    await expectSameStates(mem, prefix);
  });

  it('redelivering every transaction once more, later and in other batches, changes nothing', async () => {
    const { txs } = generateTransactions({ count: 20_000, seed: 12 });
    const reference = new MemoryFeatureStore({ sweepEvery: 1e12 });
    const expected = new Map<string, Float32Array>();
    const ref = reference.applyBatchSync(txs);
    txs.forEach((t, i) => expected.set(t.transactionId, featureRow(ref, i)));

    // Each transaction also comes back at a random later position (possibly in the same batch).
    const rnd = prng(2);
    const stream = txs
      .map((t, i) => ({ t, pos: i }))
      .concat(txs.map((t, i) => ({ t, pos: i + 0.5 + rnd() * (txs.length - i) })))
      .sort((a, b) => a.pos - b.pos)
      .map((x) => x.t);
    const prefix = newPrefix();
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards: SHARDS });
    const mem = new MemoryFeatureStore({ sweepEvery: 1e12 });
    for (const batch of randomBatches(stream, 500, rnd)) {
      const r = await store.applyBatch(batch);
      const m = mem.applyBatchSync(batch);
      batch.forEach((t, i) => {
        expect(
          firstDifference(featureRow(r, i), expected.get(t.transactionId)!),
          t.transactionId,
        ).toBeUndefined();
        expect(
          firstDifference(featureRow(m, i), expected.get(t.transactionId)!),
          t.transactionId,
        ).toBeUndefined();
      });
    }
    await expectSameStates(reference, prefix);
    expect(concatRows([reference.applyBatchSync(txs)]).length).toBe(txs.length * FEATURE_NAMES.length);
  });

  it('puts a TTL on every key, and idempotency records expire on their own TTL', async () => {
    const prefix = newPrefix();
    const store = new RedisFeatureStore({
      redis,
      keyPrefix: prefix,
      shards: SHARDS,
      ttlSeconds: 90_000,
      idempotencyTtlSeconds: 1,
    });
    const t = tx({
      transactionId: 'ttl-1',
      eventTime: Date.now(),
      originAccountId: 'C-ttl',
      destinationAccountId: 'M-ttl',
    });
    await store.applyBatch([t]);
    const keys = await prefixKeys(redis, prefix);
    expect(keys.length).toBe(4); // 2 account states + 2 idempotency hashes (different shards)
    // A state's TTL is ttlSeconds plus the hourly-refresh slack (see the next test).
    const stateTtlMs = (90_000 + STATE_TTL_REFRESH_SLACK_SECONDS) * 1000;
    for (const k of keys) {
      const pttl = await redis.pttl(k);
      if (k.includes('}:a:')) expect(pttl).toBeGreaterThan(stateTtlMs - 60_000);
      else expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(k.includes('}:a:') ? stateTtlMs : 1_000);
    }
    await new Promise((r) => setTimeout(r, 1_300));
    expect((await prefixKeys(redis, prefix)).filter((k) => k.includes('}:i:'))).toEqual([]);
    // With the record gone, the same id counts as new again: that is the bound, by design.
    const again = await store.applyBatch([t]);
    expect(featureRow(again, 0)[FEATURE_NAMES.indexOf('orig_history_count')]).toBe(1);
  });

  it('continues from state bytes another scorer version left (format 1 unchanged: no migration)', async () => {
    // A rolling deploy: the previous script wrote these states (the same bytes as
    // encodeAccountState, which the parity tests pin), and the new script must carry on from them.
    const { txs } = generateTransactions({ count: 6_000, seed: 21 });
    const mem = new MemoryFeatureStore({ sweepEvery: 1e12 });
    mem.applyBatchSync(txs.slice(0, 3_000));
    const prefix = newPrefix();
    const pipeline = redis.pipeline();
    for (const id of mem.accountIds()) {
      const key = accountKey(shardTag(prefix, shardOf(id, SHARDS)), id);
      pipeline.set(key, encodeAccountState(mem.accountState(id)!), 'PX', 90_000_000);
    }
    for (const [key, state] of mem.indexStates()) {
      const redisKey = indexKey(shardTag(prefix, shardOf(key, SHARDS)), key.slice(0, 1), key.slice(2));
      pipeline.set(redisKey, encodeAccountState(state), 'PX', 90_000_000);
    }
    await pipeline.exec();

    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards: SHARDS });
    for (let i = 3_000; i < txs.length; i += 500) {
      const batch = txs.slice(i, i + 500);
      const r = await store.applyBatch(batch);
      const m = mem.applyBatchSync(batch);
      batch.forEach((t, j) =>
        expect(firstDifference(featureRow(r, j), featureRow(m, j)), t.transactionId).toBeUndefined(),
      );
    }
    await expectSameStates(mem, prefix);
  });

  it('renews a state TTL when the event hour advances, keeps it (KEEPTTL) within the hour', async () => {
    const prefix = newPrefix();
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards: SHARDS, ttlSeconds: 90_000 });
    const fullTtlMs = (90_000 + STATE_TTL_REFRESH_SLACK_SECONDS) * 1000;
    const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const at = (id: string, eventTime: number) =>
      tx({ transactionId: id, eventTime, originAccountId: 'C-renew', destinationAccountId: 'C-other' });
    const key = accountKey(shardTag(prefix, shardOf('C-renew', SHARDS)), 'C-renew');

    await store.applyBatch([at('r1', hourStart + 60_000)]);
    expect(await redis.pttl(key)).toBeGreaterThan(fullTtlMs - 60_000);
    // Shorten it by hand: a write in the same event hour must keep it, not renew it.
    await redis.pexpire(key, 50_000);
    await store.applyBatch([at('r2', hourStart + 20 * 60_000)]);
    const kept = await redis.pttl(key);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(50_000);
    // The next event hour renews it to the full TTL.
    await store.applyBatch([at('r3', hourStart + 3_600_000 + 60_000)]);
    expect(await redis.pttl(key)).toBeGreaterThan(fullTtlMs - 60_000);
    // A late event (older than the account's latest bucket) lands in the latest hour: no renewal.
    await redis.pexpire(key, 50_000);
    await store.applyBatch([at('r4', hourStart + 30 * 60_000)]);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(50_000);
    // Every write kept the state equal to the memory store's.
    const mem = new MemoryFeatureStore({ sweepEvery: 1e12 });
    mem.applyBatchSync(
      ['r1', 'r2', 'r3', 'r4'].map((id, i) =>
        at(id, hourStart + [60_000, 20 * 60_000, 3_600_000 + 60_000, 30 * 60_000][i]!),
      ),
    );
    expect(await redis.getBuffer(key)).toEqual(encodeAccountState(mem.accountState('C-renew')!));
  });

  it('gives NaN for missing balances', async () => {
    const store = new RedisFeatureStore({ redis, keyPrefix: newPrefix() });
    const m = await store.applyBatch([
      tx({ transactionId: 'nb', eventTime: Date.now(), originBalanceBeforeMinor: 5_000 }),
    ]);
    const row = featureRow(m, 0);
    expect(row[FEATURE_NAMES.indexOf('orig_balance_error')]).toBeNaN();
    expect(row[FEATURE_NAMES.indexOf('dest_balance_error')]).toBeNaN();
    expect(row[FEATURE_NAMES.indexOf('orig_balance_after_zero')]).toBeNaN();
    expect(row[FEATURE_NAMES.indexOf('orig_drain_ratio')]).toBeCloseTo(0.2, 6);
  });

  it('on a standalone Redis sends the whole batch as ONE script call (the Cluster test covers one slot per call)', async () => {
    const monitor = await redis.duplicate().monitor();
    const prefix = newPrefix();
    const calls: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if ((args[0] === 'evalsha' || args[0] === 'eval') && args.some((a) => a.startsWith(`{${prefix}:`)))
        calls.push(args);
    });
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix, shards: SHARDS });
    const { txs } = generateTransactions({ count: 300, seed: 13 });
    txs.push(
      tx({
        transactionId: 'self-1',
        eventTime: txs.at(-1)!.eventTime,
        originAccountId: 'C{odd}',
        destinationAccountId: 'C{odd}',
      }),
    );
    await store.applyBatch(txs);
    await new Promise((r) => setTimeout(r, 300));
    monitor.disconnect();
    expect(calls).toHaveLength(1);
    const keys = calls[0]!.slice(3, 3 + Number(calls[0]![2]));
    // Keys of many virtual shards (hash slots) meet in that call: the layout is the Cluster's.
    const slots = new Set(keys.map((k) => clusterKeySlot.generateMulti([k])));
    expect(slots.size).toBeGreaterThan(1);
    expect(slots.size).toBeLessThanOrEqual(SHARDS);
  });

  it('rejects unusable transactions before writing anything, and bad options at construction', async () => {
    const prefix = newPrefix();
    const store = new RedisFeatureStore({ redis, keyPrefix: prefix });
    const bad = { ...tx({ transactionId: 'bad', eventTime: Date.now() }), destinationAccountId: '' };
    await expect(
      store.applyBatch([tx({ transactionId: 'ok', eventTime: Date.now() }), bad]),
    ).rejects.toBeInstanceOf(UnusableTransactionError);
    await expect(store.applyBatch([bad])).rejects.toMatchObject({ field: 'destinationAccountId' });
    expect(await prefixKeys(redis, prefix)).toEqual([]);
    expect(() => new RedisFeatureStore({ redis, keyPrefix: 'x', ttlSeconds: 3_600 })).toThrow(
      FeatureStoreConfigError,
    );
    expect(() => new RedisFeatureStore({ redis, keyPrefix: 'a{b' })).toThrow(FeatureStoreConfigError);
  });
});

/** A Redis of our own (so SCRIPT FLUSH and a restart disturb nobody), stopped by its pid. */
describe('RedisFeatureStore across Redis restarts', () => {
  let port = 0;
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined); // refused until the server listens
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    probe.disconnect();
  };
  const stop = async () => {
    if (!server || server.exitCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    const s = createServer().listen(0, '127.0.0.1');
    await once(s, 'listening');
    port = (s.address() as { port: number }).port;
    s.close();
    await start();
  });
  afterAll(stop);

  it('recovers from NOSCRIPT (script cache flushed) and from a restart; reports an outage as FeatureStoreUnavailableError', async () => {
    const client = new Redis(port, '127.0.0.1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    client.on('error', () => undefined); // the outage below is deliberate
    await once(client, 'ready');
    try {
      const store = new RedisFeatureStore({ redis: client, keyPrefix: 'restart', timeoutMs: 2_000 });
      const t = (id: string) =>
        tx({ transactionId: id, eventTime: Date.now(), originAccountId: 'A', destinationAccountId: 'B' });
      await store.applyBatch([t('r1')]);
      await client.script('FLUSH');
      const m = await store.applyBatch([t('r2')]);
      expect(featureRow(m, 0)[FEATURE_NAMES.indexOf('orig_history_count')]).toBe(1);

      await stop();
      const err = await store.applyBatch([t('r3')]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FeatureStoreUnavailableError);
      expect((err as Error).cause).toBeDefined();

      await start();
      if (client.status !== 'ready') await once(client, 'ready');
      const after = await store.applyBatch([t('r4')]); // empty Redis: state and scripts are gone
      expect(featureRow(after, 0)[FEATURE_NAMES.indexOf('orig_history_count')]).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
