import { afterEach, describe, expect, it } from 'vitest';
import {
  countById,
  countLogLines,
  decisionReader,
  producePaced,
  scorerTestContext,
  spawnScorer,
  waitForLog,
  type ScorerProcess,
} from './testing/harness.ts';
import { makeTransactions } from './testing/transactions.ts';

// A zombie: a worker frozen (SIGSTOP) longer than the session timeout loses its partitions to the
// other worker, then wakes up (SIGCONT) holding a chunk it already scored, maybe inside an open
// transaction. Its commit must not land: every transaction is decided exactly once.
const SESSION_TIMEOUT_MS = 6_000;

const started: ScorerProcess[] = [];
afterEach(async () => {
  for (const scorer of started.splice(0)) {
    if (scorer.child.exitCode === null && scorer.child.signalCode === null) {
      scorer.kill('SIGCONT');
      scorer.kill('SIGKILL');
    }
    await scorer.exited;
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freeze(scorer: ScorerProcess, ms: number): Promise<void> {
  scorer.kill('SIGSTOP');
  await sleep(ms);
  scorer.kill('SIGCONT');
}

describe('zombie fencing', () => {
  it('a worker frozen past the session timeout (8 s, then 16 s) commits nothing its successor also commits', async () => {
    const ctx = await scorerTestContext('scorer-zombie', 4);
    const inputs = makeTransactions(24_000, 12, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const env = {
      SCORER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      SCORER_HEARTBEAT_INTERVAL_MS: '1000',
    };
    const first = spawnScorer(ctx, 'w1', env);
    const second = spawnScorer(ctx, 'w2', env);
    started.push(first, second);
    await waitForLog(first, 'joined consumer group');
    await waitForLog(second, 'joined consumer group');
    const producing = producePaced(ctx, inputs, 100, 125); // ~800 TPS for ~30 s

    await decisions.waitFor((r) => r.length >= 2_000, 60_000, 'decisions before the first freeze');
    const claimsBefore = countLogLines(first, 'partition claimed');
    await freeze(second, SESSION_TIMEOUT_MS + 2_000); // just over the session timeout
    // The survivor took over the frozen worker's partitions while it slept.
    expect(countLogLines(first, 'partition claimed')).toBeGreaterThan(claimsBefore);

    // The thawed worker rejoins and claims partitions again; then freeze the other one for longer.
    const secondClaims = countLogLines(second, 'partition claimed');
    const deadline = Date.now() + 30_000;
    while (countLogLines(second, 'partition claimed') === secondClaims && Date.now() < deadline)
      await sleep(200);
    const firstClaimsBefore = countLogLines(first, 'partition claimed');
    await freeze(first, SESSION_TIMEOUT_MS + 10_000);
    expect(countLogLines(second, 'partition claimed')).toBeGreaterThan(secondClaims);

    await producing;
    await decisions.waitFor(
      (r) => countById(r.map((x) => x.value.transactionId)).size >= inputs.length,
      120_000,
      'all decisions',
    );
    await sleep(3_000); // a zombie's late commit would show up here
    const counts = countById(decisions.records.map((r) => r.value.transactionId));
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = inputs.filter((tx) => !counts.has(tx.transactionId)).length;
    expect({ duplicated: duplicated.slice(0, 5), duplicates: duplicated.length, missing }).toEqual({
      duplicated: [],
      duplicates: 0,
      missing: 0,
    });
    // Both zombies lived on as members (fenced, not failed) and were given work again.
    expect(first.child.exitCode).toBeNull();
    expect(second.child.exitCode).toBeNull();
    expect(countLogLines(first, 'partition claimed')).toBeGreaterThan(firstClaimsBefore);
    await decisions.stop();
  });
});
