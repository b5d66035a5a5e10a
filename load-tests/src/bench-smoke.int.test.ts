/**
 * CI's bench smoke: about 10 s at 2K TPS through a real scorer worker on the real local stack.
 * Correctness only (every transaction decided exactly once); the timings it measures are reported,
 * never asserted (DESIGN principle 9: numbers come from benchmarks, not from timed tests).
 */
import { describe, expect, it } from 'vitest';
import { runBench } from './run.ts';

describe('bench smoke (integration)', () => {
  it('decides every transaction exactly once at 2K TPS for 10 s', { timeout: 300_000 }, async () => {
    const report = await runBench({
      scenario: 'smoke',
      rateTps: 2_000,
      durationS: 10,
      workers: 1,
      partitions: 3,
      baseline: false,
      compareBaseline: false,
      findMax: false,
      stepS: 10,
      maxSteps: 1,
      startTps: 2_000,
      findMaxP99Ms: 50,
      warmupS: 1,
      warmupTps: 1_000,
      seed: 11,
      log: () => undefined,
    });
    expect(report.sent).toBe(20_000);
    expect(report.not_sent).toBe(0);
    expect(report.send_errors).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.decided).toBe(report.sent);
    expect(report.warmup).toMatchObject({ lost: 0, duplicated: 0 });
    // Reported for the CI log only.
    console.info(
      `bench smoke: achieved ${report.achieved_tps} TPS, e2e p99 ${report.e2e_ms?.p99} ms, ` +
        `worker ${report.worker_cpu_us_per_tx} us/tx`,
    );
  });
});
