import { describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { FeatureStoreUnavailableError, createMatrix } from '@fraud/features';
import type { ScoredBatch } from '@fraud/scoring';
import { OverloadedError, ScoringUnavailableError } from './errors.ts';
import { MicroBatcher } from './micro-batcher.ts';

function tx(i: number): Transaction {
  return {
    transactionId: `t${i}`,
    eventTime: 1_700_000_000_000 + i,
    type: 'PAYMENT',
    amountMinor: 100 + i,
    currency: 'USD',
    originAccountId: `C${i}`,
    destinationAccountId: 'M1',
    channel: null,
    deviceId: null,
    countryCode: null,
    merchantCategory: null,
    originBalanceBeforeMinor: null,
    originBalanceAfterMinor: null,
    destinationBalanceBeforeMinor: null,
    destinationBalanceAfterMinor: null,
  };
}

/**
 * Stands in for BatchScorer to test the batching mechanics only (the scoring itself is tested in
 * @fraud/scoring and end to end in the integration tests): score = amount / 1000.
 */
class RecordingScorer {
  readonly batches: string[][] = [];
  gate: Promise<void> = Promise.resolve();
  failWith: Error | undefined;

  async score(txs: readonly Transaction[]): Promise<ScoredBatch> {
    this.batches.push(txs.map((t) => t.transactionId));
    await this.gate;
    if (this.failWith) throw this.failWith;
    const scores = Float32Array.from(txs, (t) => t.amountMinor / 1_000);
    return {
      features: createMatrix(txs.length, 0),
      champion: { version: 'v1', featureFingerprint: 'f1', thresholds: { review: 0.15, block: 0.9 }, scores },
      decisions: [...scores].map((s) => (s >= 0.15 ? 'REVIEW' : 'ALLOW')),
      reasonCodes: txs.map(() => []),
      explained: 0,
      stageMs: { features: 0, score: 0, shadow: 0, explain: 0 },
    };
  }
}

function gated(scorer: RecordingScorer): () => void {
  let open!: () => void;
  scorer.gate = new Promise<void>((resolve) => (open = resolve));
  return open;
}

/** Lets the current event-loop turn end (the collection window of maxWaitMs 0). */
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('scores concurrent requests together, up to maxBatchSize per batch, each getting its own row', async () => {
    const scorer = new RecordingScorer();
    // A window far longer than the synchronous submits, so a stalled machine cannot close it early.
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 64, maxWaitMs: 50 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => batcher.submit(tx(i), 1_000)));
    expect(scorer.batches.map((b) => b.length)).toEqual([64, 36]);
    expect(results.map((r) => r.transactionId)).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`));
    expect(results[60]).toEqual({
      transactionId: 't60',
      decision: 'REVIEW',
      score: Math.fround(0.16),
      reasons: [],
      modelVersion: 'v1',
      thresholds: { review: 0.15, block: 0.9 },
    });
  });

  it('scores every request alone with maxBatchSize 1 (micro-batching off)', async () => {
    const scorer = new RecordingScorer();
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 1, maxWaitMs: 1 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(tx(i), 1_000)));
    expect(scorer.batches).toHaveLength(10);
  });

  it('waits at most maxWaitMs for company', async () => {
    const scorer = new RecordingScorer();
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 64, maxWaitMs: 5 });
    const started = performance.now();
    await batcher.submit(tx(1), 1_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
    expect(scorer.batches).toEqual([['t1']]);
  });

  it('with maxWaitMs 0 batches the requests of one event-loop turn, and starts waiting ones as soon as a slot frees', async () => {
    const scorer = new RecordingScorer();
    const open = gated(scorer);
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 64, maxWaitMs: 0, maxConcurrentBatches: 1 });
    const firstTurn = [1, 2, 3].map((i) => batcher.submit(tx(i), 1_000));
    expect(batcher.active).toBe(0); // nothing starts before the turn ends
    await endOfTurn();
    expect(scorer.batches).toEqual([['t1', 't2', 't3']]);
    // Arrive while the only slot is busy: they go together the moment it frees, without another wait.
    const secondTurn = [4, 5].map((i) => batcher.submit(tx(i), 1_000));
    await endOfTurn();
    expect(batcher.queued).toBe(2);
    open();
    await Promise.all([...firstTurn, ...secondTurn]);
    expect(scorer.batches).toEqual([
      ['t1', 't2', 't3'],
      ['t4', 't5'],
    ]);
  });

  it('sheds load with OverloadedError once maxQueue requests are waiting', async () => {
    const scorer = new RecordingScorer();
    const open = gated(scorer);
    const batcher = new MicroBatcher({
      scorer,
      maxBatchSize: 2,
      maxWaitMs: 0,
      maxConcurrentBatches: 1,
      maxQueue: 3,
    });
    const inFlight = batcher.submit(tx(0), 1_000); // due at the end of this turn (maxWaitMs 0)
    await endOfTurn();
    expect(batcher.active).toBe(1);
    const queued = [1, 2, 3].map((i) => batcher.submit(tx(10 + i), 1_000));
    await expect(batcher.submit(tx(99), 1_000)).rejects.toBeInstanceOf(OverloadedError);
    expect(batcher.queued).toBe(3);
    open();
    await Promise.all([inFlight, ...queued]);
    expect(scorer.batches.flat()).not.toContain('t99');
  });

  it('fails a request at its deadline, and a request that expired while queued is never scored', async () => {
    const scorer = new RecordingScorer();
    const open = gated(scorer);
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 1, maxWaitMs: 0, maxConcurrentBatches: 1 });
    const first = batcher.submit(tx(1), 30);
    const second = batcher.submit(tx(2), 30);
    for (const pending of [first, second]) {
      await expect(pending).rejects.toMatchObject({
        name: 'ScoringUnavailableError',
        reason: 'deadline_exceeded',
      });
    }
    open();
    await batcher.close();
    expect(scorer.batches).toEqual([['t1']]);
  });

  it('turns a feature-store failure into feature_store_unavailable for every request of the batch', async () => {
    const scorer = new RecordingScorer();
    scorer.failWith = new FeatureStoreUnavailableError('Redis did not answer');
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 8, maxWaitMs: 1 });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(tx(i), 1_000)));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as ScoringUnavailableError;
      expect(reason).toBeInstanceOf(ScoringUnavailableError);
      expect(reason.reason).toBe('feature_store_unavailable');
    }
  });

  it('answers what is queued on close, then refuses new requests', async () => {
    const scorer = new RecordingScorer();
    const batcher = new MicroBatcher({ scorer, maxBatchSize: 64, maxWaitMs: 50 });
    const pending = batcher.submit(tx(1), 1_000);
    await batcher.close();
    await expect(pending).resolves.toMatchObject({ transactionId: 't1' });
    await expect(batcher.submit(tx(2), 1_000)).rejects.toMatchObject({ reason: 'shutting_down' });
  });
});
