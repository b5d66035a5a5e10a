import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { FraudDecision } from '@fraud/contracts';
import { copyModels } from '@fraud/scoring/testing';
import {
  countById,
  decisionReader,
  makeTransactions,
  produceTransactions,
  scorerTestContext,
  spawnScorer,
  type ScorerProcess,
  type ScorerTestContext,
  type TopicReader,
} from '@fraud/scorer/testing';
import { uniqueName } from '@fraud/test-support';
import { redisSnapshot, scoreOk, startTestApi } from './testing/api-testing.ts';

// The promise of the API: the same decision as the stream. Two runs over the same transactions,
// each with its own topics and Redis key prefix, both with real scorer processes:
//   mixed:       the API scores the first K, then all N go through Kafka to a scorer;
//   stream-only: all N go through Kafka to a scorer, the API never sees them.
// One partition per run: the scorer then applies transactions in the produced order, the order
// the API saw them in (across partitions, destination-side updates interleave run to run).
const cleanup: (() => Promise<unknown>)[] = [];
const scorers: ScorerProcess[] = [];
afterEach(async () => {
  for (const scorer of scorers.splice(0)) {
    if (scorer.child.exitCode === null && scorer.child.signalCode === null) scorer.kill('SIGKILL');
    await scorer.exited;
  }
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function streamAll(
  ctx: ScorerTestContext,
  name: string,
  modelsDir: string,
  txs: Parameters<typeof produceTransactions>[1],
): Promise<Map<string, FraudDecision>> {
  const reader: TopicReader<FraudDecision> = await decisionReader(ctx);
  cleanup.push(() => reader.stop());
  const scorer = spawnScorer(ctx, name, { MODEL_REGISTRY_DIR: modelsDir });
  scorers.push(scorer);
  await produceTransactions(ctx, txs);
  await reader.waitFor(
    (records) => countById(records.map((r) => r.value.transactionId)).size >= txs.length,
    120_000,
    `${name}: all decisions`,
  );
  const counts = countById(reader.records.map((r) => r.value.transactionId));
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  return new Map(reader.records.map((r) => [r.value.transactionId, r.value]));
}

describe('API and stream', () => {
  it('reach identical decisions and scores, and leave the state a stream-only run leaves', async () => {
    const N = 400;
    const K = 200;
    const models = await copyModels();
    cleanup.push(() => models.remove());
    const [mixed, streamOnly] = await Promise.all([
      scorerTestContext('api-stream-mixed', 1),
      scorerTestContext('api-stream-only', 1),
    ]);
    // The same transactions (same ids and accounts) in both runs: the key prefixes keep them apart.
    const txs = makeTransactions(N, 41, uniqueName('acct'));

    const api = await startTestApi({
      REDIS_URL: mixed.settings.redisUrl,
      REDIS_KEY_PREFIX: mixed.keyPrefix,
      MODEL_REGISTRY_DIR: models.dir,
    });
    cleanup.push(() => api.close());
    const onlyRun = streamAll(streamOnly, 'stream-only', models.dir, txs);
    const viaApi = [];
    for (const tx of txs.slice(0, K)) viaApi.push(await scoreOk(api.url, tx));
    const [mixedDecisions, onlyDecisions] = await Promise.all([
      streamAll(mixed, 'mixed', models.dir, txs),
      onlyRun,
    ]);

    // 1. What the API answered is what the stream decided for the same transactions.
    const streamView = (d: FraudDecision) => ({
      transactionId: d.transactionId,
      decision: d.decision,
      score: d.score,
      reasons: d.reasonCodes,
      modelVersion: d.modelVersion,
      thresholds: d.thresholds,
    });
    expect(viaApi.map((r) => r.transactionId)).toEqual(txs.slice(0, K).map((t) => t.transactionId));
    expect(txs.slice(0, K).map((t) => streamView(mixedDecisions.get(t.transactionId)!))).toEqual(viaApi);
    const flagged = viaApi.filter((r) => r.decision !== 'ALLOW');
    for (const r of flagged) expect(r.reasons.length).toBeGreaterThan(0);

    // 2. Nothing was counted twice: every later decision (and score) equals the stream-only run's,
    // and the account state in Redis is the same, key for key.
    for (const tx of txs) {
      expect(streamView(mixedDecisions.get(tx.transactionId)!)).toEqual(
        streamView(onlyDecisions.get(tx.transactionId)!),
      );
    }
    const redis = new Redis(mixed.settings.redisUrl);
    cleanup.push(() => Promise.resolve(redis.disconnect()));
    const mixedState = await redisSnapshot(redis, mixed.keyPrefix);
    expect(mixedState.size).toBeGreaterThan(0);
    expect(mixedState).toEqual(await redisSnapshot(redis, streamOnly.keyPrefix));

    // 3. Stream first, API second: the API answers what the stream decided and changes nothing.
    for (const tx of txs.slice(K, K + 50)) {
      expect(await scoreOk(api.url, tx)).toEqual(streamView(mixedDecisions.get(tx.transactionId)!));
    }
    expect(await redisSnapshot(redis, mixed.keyPrefix)).toEqual(mixedState);
  });
});
