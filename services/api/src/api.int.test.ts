import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyModels, type TestModels } from '@fraud/scoring/testing';
import { makeTransactions } from '@fraud/scorer/testing';
import { freePort, stackSettings, uniqueName, waitForRedis } from '@fraud/test-support';
import { postScore, redisSnapshot, scoreOk, startTestApi } from './testing/api-testing.ts';

// The API against a real Redis over real HTTP: idempotency, a Redis outage, start-up refusals.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const settings = stackSettings();
const cleanup: (() => Promise<unknown>)[] = [];
let models: TestModels;

beforeAll(async () => {
  models = await copyModels();
});
afterAll(() => models.remove());
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('API on real Redis', () => {
  it('a repeated transaction id returns the same result and changes no state, one at a time or in a burst', async () => {
    const prefix = uniqueName('api-idem');
    const api = await startTestApi({
      REDIS_URL: settings.redisUrl,
      REDIS_KEY_PREFIX: prefix,
      MODEL_REGISTRY_DIR: models.dir,
    });
    cleanup.push(() => api.close());
    const redis = new Redis(settings.redisUrl);
    cleanup.push(() => Promise.resolve(redis.disconnect()));

    const txs = makeTransactions(150, 31, prefix);
    const first = [];
    for (const tx of txs) first.push(await scoreOk(api.url, tx));
    expect(first.map((r) => r.transactionId)).toEqual(txs.map((t) => t.transactionId));
    const before = await redisSnapshot(redis, prefix);
    expect(before.size).toBeGreaterThan(0);

    // Repeats: sequential, then all at once (so they share micro-batches).
    const sequential = [];
    for (const tx of txs.slice(0, 20)) sequential.push(await scoreOk(api.url, tx));
    expect(sequential).toEqual(first.slice(0, 20));
    const burst = await Promise.all(txs.map((tx) => scoreOk(api.url, tx)));
    expect(burst).toEqual(first);
    expect(await redisSnapshot(redis, prefix)).toEqual(before);

    // A new transaction sent five times at once (same micro-batch): one answer, applied once.
    const [fresh] = makeTransactions(1, 34, `${prefix}-fresh`);
    const copies = await Promise.all(Array.from({ length: 5 }, () => scoreOk(api.url, fresh!)));
    for (const copy of copies) expect(copy).toEqual(copies[0]);
    const afterFresh = await redisSnapshot(redis, prefix);
    expect(await scoreOk(api.url, fresh!)).toEqual(copies[0]);
    expect(await redisSnapshot(redis, prefix)).toEqual(afterFresh);

    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const batches = /^fraud_api_batch_size_count (\d+)$/m.exec(metrics);
    const requests = 150 + 20 + 150 + 5 + 1;
    // The burst shared batches: fewer batches than requests.
    expect(Number(batches?.[1])).toBeLessThan(requests);
  });

  it('answers 503 feature_store_unavailable while Redis is down, /readyz names Redis, and recovers', async () => {
    const port = await freePort();
    const startRedis = async (): Promise<ChildProcess> => {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await waitForRedis(port);
      return child;
    };
    let redisServer = await startRedis();
    cleanup.push(async () => {
      if (redisServer.exitCode === null && redisServer.signalCode === null) {
        redisServer.kill('SIGKILL');
        await once(redisServer, 'exit');
      }
    });
    const prefix = uniqueName('api-outage');
    const api = await startTestApi({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: prefix,
      MODEL_REGISTRY_DIR: models.dir,
      REDIS_COMMAND_TIMEOUT_MS: '300',
    });
    cleanup.push(() => api.close());
    const txs = makeTransactions(3, 32, prefix);
    expect((await postScore(api.url, txs[0]!)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);

    redisServer.kill('SIGKILL');
    await once(redisServer, 'exit');
    await until('readiness to drop', async () => (await fetch(`${api.url}/readyz`)).status === 503, 10_000);
    const readyz = (await (await fetch(`${api.url}/readyz`)).json()) as {
      ready: boolean;
      checks: Record<string, { ok: boolean; detail?: string }>;
    };
    expect(readyz.ready).toBe(false);
    expect(readyz.checks.redis?.ok).toBe(false);
    expect(readyz.checks.model?.ok).toBe(true);
    const down = await postScore(api.url, txs[1]!);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.body).toEqual({
      error: 'feature_store_unavailable',
      message: 'the feature store (Redis) is unavailable',
    });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^fraud_api_errors_total\{class="feature_store_unavailable"\} [1-9]/m);

    redisServer = await startRedis(); // empty: the state was in memory only
    await until('readiness to return', async () => (await fetch(`${api.url}/readyz`)).status === 200, 15_000);
    expect((await postScore(api.url, txs[1]!)).status).toBe(200);
  });

  it('starts without a model (503 model_unavailable, not ready) and serves once one appears', async () => {
    const empty = await copyModels();
    cleanup.push(() => empty.remove());
    await rm(path.join(empty.dir, 'registry.json'));
    const api = await startTestApi({
      REDIS_URL: settings.redisUrl,
      REDIS_KEY_PREFIX: uniqueName('api-nomodel'),
      MODEL_REGISTRY_DIR: empty.dir,
    });
    cleanup.push(() => api.close());
    const [tx] = makeTransactions(1, 33, uniqueName('nomodel'));
    const refused = await postScore(api.url, tx!);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'model_unavailable' });
    const readyz = (await (await fetch(`${api.url}/readyz`)).json()) as {
      checks: { model: { ok: boolean } };
    };
    expect(readyz.checks.model.ok).toBe(false);

    await cp(path.join(models.dir, 'registry.json'), path.join(empty.dir, 'registry.json'));
    await until('the model to load', async () => (await fetch(`${api.url}/readyz`)).status === 200, 15_000);
    expect((await postScore(api.url, tx!)).status).toBe(200);
  });

  it('refuses to start without API_KEYS, naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/api/src/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, API_KEYS: '', REDIS_URL: settings.redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('api: bad configuration: API_KEYS:');
  });
});
