import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { RedisFeatureStore } from '@fraud/features';
import { redisSnapshot } from '@fraud/features/testing';
import { DLQ_HEADERS } from '@fraud/kafka';
import { uniqueName } from '@fraud/test-support';
import {
  alertReader,
  countById,
  decisionReader,
  produceTransactions,
  readTopic,
  scorerTestContext,
  spawnScorer,
  waitForLog,
  type ScorerProcess,
} from './testing/harness.ts';
import { makeTransactions } from './testing/transactions.ts';

// The scorer as operators run it: real child processes against real Kafka, registry and Redis.
const started: ScorerProcess[] = [];
afterEach(async () => {
  for (const scorer of started.splice(0)) {
    if (scorer.child.exitCode === null && scorer.child.signalCode === null) scorer.kill('SIGKILL');
    await scorer.exited;
  }
});

function start(...args: Parameters<typeof spawnScorer>): ScorerProcess {
  const scorer = spawnScorer(...args);
  started.push(scorer);
  return scorer;
}

function expectExactlyOnce(decidedIds: string[], inputs: readonly Transaction[]): void {
  const counts = countById(decidedIds);
  const missing = inputs.filter((tx) => !counts.has(tx.transactionId)).map((tx) => tx.transactionId);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  expect({ missing: missing.slice(0, 5), missingCount: missing.length }).toEqual({
    missing: [],
    missingCount: 0,
  });
  expect(duplicated).toEqual([]);
  expect(counts.size).toBe(inputs.length);
}

/** Partitions of `topic` in the latest group assignment a worker logged. */
function latestAssignment(worker: ScorerProcess, topic: string): number[] {
  const joins = worker.output
    .join('')
    .split('\n')
    .filter((line) => line.includes('"msg":"joined consumer group"'))
    .map((line) => JSON.parse(line) as { assignment: Record<string, number[]> });
  return joins[joins.length - 1]?.assignment[topic] ?? [];
}

describe('scorer service', () => {
  it('decides every transaction exactly once; alerts are exactly the flagged decisions', async () => {
    const ctx = await scorerTestContext('scorer-once');
    const inputs = makeTransactions(1500, 1, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const alerts = await alertReader(ctx);
    const scorer = start(ctx, 'w1');
    await produceTransactions(ctx, inputs);
    await decisions.waitFor((r) => r.length >= inputs.length, 90_000, 'all decisions');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a late duplicate would show up here
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );

    const flagged = decisions.records
      .filter((r) => r.value.decision !== 'ALLOW')
      .map((r) => r.value.transactionId);
    await alerts.waitFor((r) => r.length >= flagged.length, 30_000, 'all alerts');
    expect(alerts.records.map((r) => r.value.transactionId).sort()).toEqual([...flagged].sort());
    expect(flagged.length).toBeGreaterThan(0);
    for (const { value } of decisions.records) {
      const expected =
        value.score >= value.thresholds.block
          ? 'BLOCK'
          : value.score >= value.thresholds.review
            ? 'REVIEW'
            : 'ALLOW';
      expect(value.decision).toBe(expected);
    }
    await decisions.stop();
    await alerts.stop();

    scorer.kill('SIGTERM');
    expect(await scorer.exited).toBe(0);
  });

  it('survives kill -9 three times mid-stream: one decision per input, Redis equal to one replay', async () => {
    // One partition: the scorer then applies transactions in exactly the produced order, so an
    // in-order replay is the reference (across partitions, destination-side updates interleave
    // differently on every run, crash or not).
    const ctx = await scorerTestContext('scorer-crash', 1);
    const inputs = makeTransactions(3000, 2, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    let scorer = start(ctx, 'w1');
    const producing = produceTransactions(ctx, inputs, 100);
    for (let kill = 1; kill <= 3; kill++) {
      await decisions.waitFor(
        (r) => r.length >= (kill * inputs.length) / 5,
        90_000,
        `progress before kill ${kill}`,
      );
      scorer.kill('SIGKILL');
      await scorer.exited;
      scorer = start(ctx, 'w1'); // same instance id: its transactional ids fence the dead one's
    }
    await producing;
    await decisions.waitFor(
      (r) => countById(r.map((x) => x.value.transactionId)).size >= inputs.length,
      120_000,
      'all decisions',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );
    await decisions.stop();
    scorer.kill('SIGTERM');
    await scorer.exited;

    // Replay the same inputs once, in order, under a fresh prefix: state must be identical.
    const redis = new Redis(ctx.settings.redisUrl);
    try {
      const replayPrefix = uniqueName('scorer-crash-replay');
      const replay = new RedisFeatureStore({ redis, keyPrefix: replayPrefix });
      for (let i = 0; i < inputs.length; i += 200) await replay.applyBatch(inputs.slice(i, i + 200));
      const crashed = await redisSnapshot(redis, ctx.keyPrefix);
      const replayed = await redisSnapshot(redis, replayPrefix);
      expect(crashed.size).toBeGreaterThan(0);
      expect(crashed).toEqual(replayed);
    } finally {
      redis.disconnect();
    }
  });

  it('dead-letters poison records with their reason and keeps scoring the good ones', async () => {
    const ctx = await scorerTestContext('scorer-poison', 1);
    const good = makeTransactions(300, 3, ctx.keyPrefix);
    const scorer = start(ctx, 'w1');
    const decisions = await decisionReader(ctx);
    const dlq = await readTopic(ctx, ctx.topics.dlq, (m) => m);

    const invalid: Transaction = { ...good[0]!, transactionId: `${ctx.keyPrefix}-neg`, amountMinor: -5 };
    const future: Transaction = {
      ...good[1]!,
      transactionId: `${ctx.keyPrefix}-future`,
      eventTime: Date.now() + 86_400_000,
    };
    const badType = Buffer.from(
      ctx.transactionSerde.encode({ ...good[2]!, transactionId: `${ctx.keyPrefix}-x` }),
    );
    const unknownSchema = Buffer.from(badType);
    unknownSchema.writeUInt32BE(987_654_321, 1);
    const poison = [
      { value: Buffer.from('not avro at all'), reason: 'decode' },
      { value: unknownSchema, reason: 'unknown_schema' },
      { value: ctx.transactionSerde.encode(invalid), reason: 'invalid' },
      { value: ctx.transactionSerde.encode(future), reason: 'invalid' },
      { value: badType.subarray(0, 12), reason: 'decode' }, // truncated body
    ];
    const producer = ctx.kafka.producer();
    await producer.connect();
    for (let i = 0; i < good.length; i++) {
      const messages = [{ key: good[i]!.originAccountId, value: ctx.transactionSerde.encode(good[i]!) }];
      const bad = poison[i / 50];
      if (Number.isInteger(i / 50) && bad) messages.push({ key: 'poison', value: bad.value });
      await producer.send({ topic: ctx.topics.transactions, messages });
    }
    await producer.disconnect();

    await decisions.waitFor((r) => r.length >= good.length, 60_000, 'good decisions');
    await dlq.waitFor((r) => r.length >= poison.length, 30_000, 'dead letters');
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      good,
    );
    const reasons = dlq.records.map((r) => r.message.headers?.[DLQ_HEADERS.reason]?.toString());
    expect(reasons).toEqual(poison.map((p) => p.reason));
    dlq.records.forEach((record, i) => {
      expect(record.message.value).toEqual(poison[i]!.value); // the original bytes
      expect(record.message.headers?.[DLQ_HEADERS.sourceTopic]?.toString()).toBe(ctx.topics.transactions);
      expect(record.message.headers?.[DLQ_HEADERS.sourceOffset]?.toString()).toMatch(/^\d+$/);
      expect(record.message.headers?.[DLQ_HEADERS.errorMessage]?.toString().length).toBeGreaterThan(0);
    });
    expect(dlq.records[1]!.message.headers?.[DLQ_HEADERS.schemaId]?.toString()).toBe('987654321');
    expect(scorer.child.exitCode).toBeNull();
    await decisions.stop();
    await dlq.stop();
  });

  it('shuts down gracefully on SIGTERM inside the grace period; a restart continues without gaps or duplicates', async () => {
    const ctx = await scorerTestContext('scorer-sigterm');
    const inputs = makeTransactions(2000, 4, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    let scorer = start(ctx, 'w1', { SCORER_SHUTDOWN_GRACE_MS: '15000' });
    const producing = produceTransactions(ctx, inputs, 100);
    await decisions.waitFor((r) => r.length >= inputs.length / 4, 60_000, 'some decisions');
    const stopAt = Date.now();
    scorer.kill('SIGTERM');
    expect(await scorer.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(15_000);
    expect(scorer.output.join('')).toContain('"msg":"scorer closed"');
    scorer = start(ctx, 'w1');
    await producing;
    await decisions.waitFor((r) => r.length >= inputs.length, 90_000, 'all decisions');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );
    await decisions.stop();
  });

  it('two workers share the partitions; stopping one loses nothing', async () => {
    const ctx = await scorerTestContext('scorer-pair', 4);
    const inputs = makeTransactions(3000, 5, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const first = start(ctx, 'w1');
    const second = start(ctx, 'w2');
    await waitForLog(first, 'joined consumer group');
    await waitForLog(second, 'joined consumer group');
    const producing = produceTransactions(ctx, inputs, 100);
    await decisions.waitFor((r) => r.length >= inputs.length / 3, 60_000, 'some decisions');
    // Both members held partitions before the stop: the group split the four between them.
    const assigned = [first, second].map((worker) => latestAssignment(worker, ctx.topics.transactions));
    expect(assigned[0]!.length).toBeGreaterThan(0);
    expect(assigned[1]!.length).toBeGreaterThan(0);
    expect([...assigned[0]!, ...assigned[1]!].sort()).toEqual([0, 1, 2, 3]);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await producing;
    await decisions.waitFor((r) => r.length >= inputs.length, 90_000, 'all decisions');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expectExactlyOnce(
      decisions.records.map((r) => r.value.transactionId),
      inputs,
    );
    await decisions.stop();
  });
});
