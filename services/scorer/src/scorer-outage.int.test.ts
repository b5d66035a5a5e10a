import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForRedis } from '@fraud/test-support';
import {
  countById,
  decisionReader,
  produceTransactions,
  scorerTestContext,
  spawnScorer,
  waitForLog,
  type ScorerProcess,
} from './testing/harness.ts';
import { makeTransactions } from './testing/transactions.ts';

async function httpStatus(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// A dependency outage must pause scoring, flip readiness, and lose nothing. The scorer gets a
// Redis of its own, frozen with SIGSTOP (connections stay open, commands time out) and thawed
// with SIGCONT, so no other test's Redis is disturbed.
describe('scorer during a Redis outage', () => {
  let redisPort = 0;
  let redis: ChildProcess;
  let scorer: ScorerProcess | undefined;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await waitForRedis(redisPort);
  });

  afterAll(async () => {
    redis.kill('SIGCONT');
    if (scorer && scorer.child.exitCode === null) {
      scorer.kill('SIGKILL');
      await scorer.exited;
    }
    if (redis.exitCode === null) {
      redis.kill('SIGTERM');
      await once(redis, 'exit');
    }
  });

  it('pauses with readiness false while Redis is unavailable, then resumes with every transaction decided once', async () => {
    const ctx = await scorerTestContext('scorer-outage', 2);
    const inputs = makeTransactions(1200, 6, ctx.keyPrefix);
    const httpPort = await freePort();
    const decisions = await decisionReader(ctx);
    scorer = spawnScorer(ctx, 'w1', {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_COMMAND_TIMEOUT_MS: '300',
      SCORER_HTTP_PORT: String(httpPort),
      SCORER_RETRY_MAX_BACKOFF_MS: '500',
    });
    await waitForLog(scorer, 'joined consumer group');
    const readyz = `http://127.0.0.1:${httpPort}/readyz`;
    await until('readiness', async () => (await httpStatus(readyz)) === 200, 30_000);

    await produceTransactions(ctx, inputs.slice(0, 400));
    await decisions.waitFor((r) => r.length >= 400, 60_000, 'decisions before the outage');

    redis.kill('SIGSTOP');
    await produceTransactions(ctx, inputs.slice(400));
    await until('readiness to drop', async () => (await httpStatus(readyz)) === 503, 30_000);
    const during = decisions.records.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(decisions.records.length).toBe(during); // nothing is scored (or committed) without Redis
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^fraud_redis_errors_total [1-9]/m);
    expect(metrics).toMatch(/^fraud_scorer_ready 0$/m);

    redis.kill('SIGCONT');
    await decisions.waitFor((r) => r.length >= inputs.length, 90_000, 'all decisions after the outage');
    await until('readiness to return', async () => (await httpStatus(readyz)) === 200, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = countById(decisions.records.map((r) => r.value.transactionId));
    expect(counts.size).toBe(inputs.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(scorer.child.exitCode).toBeNull();
    await decisions.stop();
  });
});
