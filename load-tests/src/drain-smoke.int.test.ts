/**
 * Drain mode on the real local stack with a small backlog: the scorer drains a normal and a storm
 * backlog, and the two references (the kafkajs copy loop, and Apache Kafka's TransactionalMessageCopier
 * in a JVM) drain the normal one again, each exactly once. Correctness
 * only; the timings are reported, never asserted (they come from `npm run bench -- --drain N`).
 */
import { describe, expect, it } from 'vitest';
import { runBench } from './run.ts';

describe('bench drain mode (integration)', () => {
  it(
    'drains a 3000-transaction backlog four ways with nothing lost or duplicated',
    { timeout: 300_000 },
    async () => {
      const report = await runBench({
        scenario: 'constant',
        rateTps: 1,
        durationS: 1,
        workers: 1,
        partitions: 3,
        baseline: false,
        compareBaseline: false,
        findMax: false,
        stepS: 10,
        maxSteps: 1,
        startTps: 1,
        findMaxP99Ms: 50,
        warmupS: 0,
        warmupTps: 1,
        seed: 13,
        drain: 3_000,
        javaReferenceTransactionSize: 200,
        log: () => undefined,
      });
      const drain = report.drain!;
      expect(report.run.scenario).toBe('drain');
      expect(drain.java_reference).toMatchObject({ worker_kind: 'java-copier', transaction_size: 200 });
      for (const result of [drain.normal, drain.storm, drain.reference, drain.java_reference!]) {
        expect(result).toMatchObject({ backlog: 3_000, processed: 3_000, lost: 0, duplicated: 0 });
        expect(result.tx_per_s).toBeGreaterThan(0);
      }
      // The storm backlog's hot accounts get flagged far more often than normal traffic.
      expect(drain.storm.flagged_share).toBeGreaterThan(drain.normal.flagged_share!);
      expect(drain.storm.stage_us_per_tx).toHaveProperty('explain');
      console.info(
        `drain smoke: normal ${drain.normal.tx_per_s} tx/s, storm ${drain.storm.tx_per_s} tx/s ` +
          `(flagged ${drain.storm.flagged_share}), reference ${drain.reference.tx_per_s} tx/s, ` +
          `Java copier ${drain.java_reference!.tx_per_s} tx/s`,
      );
    },
  );
});
