import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { PartitionCommitter } from '@fraud/kafka';
import {
  countById,
  countLogLines,
  decisionReader,
  producePaced,
  scorerTestContext,
  spawnScorer,
  waitForLog,
  type ScorerProcess,
  type ScorerTestContext,
} from './testing/harness.ts';
import { makeTransactions } from './testing/transactions.ts';

// Adaptive group commit keeps scored chunks in a pending group for up to SCORER_COMMIT_INTERVAL_MS
// before one transaction commits them. Here that commit fails for real: a second claimer takes
// the partitions' transactional ids (InitProducerId bumps the epoch) while groups are pending, so
// the worker's next EndTxn/Produce is fenced. The group must be dropped (nothing of it visible),
// the partition claimed again and rewound to the committed offset, and every transaction still
// decided exactly once.
const PARTITIONS = 3;
const INTERVAL_MS = 400; // long, so that most fences land on a pending group

const started: ScorerProcess[] = [];
afterEach(async () => {
  for (const scorer of started.splice(0)) {
    if (scorer.child.exitCode === null && scorer.child.signalCode === null) scorer.kill('SIGKILL');
    await scorer.exited;
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Claims every partition with the scorer's transactional ids, as a new owner would (the fence). */
async function fenceAll(ctx: ScorerTestContext): Promise<void> {
  const intruder = new PartitionCommitter(ctx.kafka, {
    transactionalIdPrefix: ctx.keyPrefix,
    consumerGroupId: ctx.groupId,
  });
  await intruder.connect();
  try {
    for (let p = 0; p < PARTITIONS; p++) await intruder.claim(ctx.topics.transactions, p, 1);
  } finally {
    await intruder.disconnect();
  }
}

describe('adaptive group commit', () => {
  it('a pending group whose commit is fenced is dropped and redone from the committed offset: every decision exactly once', async () => {
    const ctx = await scorerTestContext('scorer-group-commit', PARTITIONS);
    const inputs = makeTransactions(6_000, 13, ctx.keyPrefix);
    const decisions = await decisionReader(ctx);
    const scorer = spawnScorer(ctx, 'w1', { SCORER_COMMIT_INTERVAL_MS: String(INTERVAL_MS) });
    started.push(scorer);
    onTestFailed(async () => {
      // The worker's own account of the run (claims, fences, rewinds) and where its group's
      // committed offsets stand against the input's end say whether the worker or the reader stalled.
      const file = join(tmpdir(), `scorer-group-commit-${ctx.keyPrefix}.log`);
      writeFileSync(file, scorer.output.join(''));
      const admin = ctx.kafka.admin();
      await admin.connect();
      const [committed] = await admin.fetchOffsets({
        groupId: ctx.groupId,
        topics: [ctx.topics.transactions],
      });
      const ends = await admin.fetchTopicOffsets(ctx.topics.transactions);
      await admin.disconnect();
      const lines = scorer.output.join('').split('\n');
      console.error(
        [
          `input end offsets: ${JSON.stringify(ends.map((e) => [e.partition, e.high]))}`,
          `scorer committed: ${JSON.stringify(committed?.partitions.map((p) => [p.partition, p.offset]))}`,
          `decisions read: ${decisions.records.length}`,
          `scorer log (${lines.length} lines) in ${file}; last lines:`,
          ...lines.slice(-40),
        ].join('\n'),
      );
    });
    await waitForLog(scorer, 'joined consumer group');
    const producing = producePaced(ctx, inputs, 60, 50); // ~1,200 TPS for ~5 s

    await decisions.waitFor((r) => r.length >= 300, 60_000, 'decisions before the first fence');
    // Fence every partition six times while records flow; each lands on a pending group or just
    // before one is committed.
    for (let round = 0; round < 6; round++) {
      await fenceAll(ctx);
      await sleep(INTERVAL_MS + 250);
    }
    await producing;
    await decisions.waitFor(
      (r) => countById(r.map((x) => x.value.transactionId)).size >= inputs.length,
      60_000,
      'all decisions',
    );
    await sleep(2_000); // a late duplicate would show up here
    const counts = countById(decisions.records.map((r) => r.value.transactionId));
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = inputs.filter((tx) => !counts.has(tx.transactionId)).length;
    expect({ duplicated: duplicated.slice(0, 5), duplicates: duplicated.length, missing }).toEqual({
      duplicated: [],
      duplicates: 0,
      missing: 0,
    });
    // The fault really hit pending groups, and the worker recovered by claiming and rewinding.
    expect(countLogLines(scorer, 'partition fenced by a newer owner; pending group dropped')).toBeGreaterThan(
      0,
    );
    expect(countLogLines(scorer, 'partition claimed')).toBeGreaterThan(PARTITIONS);
    expect(scorer.child.exitCode).toBeNull();
    await decisions.stop();
  });
});
