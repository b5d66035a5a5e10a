import { describe, expect, it } from 'vitest';
import { dueBy, peakTps, profileDurationS, scenarioProfile, totalTransactions } from './scenarios.ts';
import { checkThresholds, summarize } from './stats.ts';
import { flaggedShare, parseStageMetrics } from './session.ts';
import { buildBacklog, parseTransactionId, plannedOffsets, transactionIdPrefix } from './workload.ts';
import { opsPortOf } from './workers.ts';

describe('rate profiles', () => {
  it('a constant profile is due rate x seconds', () => {
    const p = scenarioProfile('sustained', 10_000, 60);
    expect(dueBy(p, 0)).toBe(0);
    expect(dueBy(p, 1)).toBe(10_000);
    expect(dueBy(p, 60)).toBe(600_000);
    expect(dueBy(p, 120)).toBe(600_000);
    expect(totalTransactions(p)).toBe(600_000);
  });

  it('ramp climbs linearly to the rate over 2/3 of the run, then holds it', () => {
    const p = scenarioProfile('ramp', 10_000, 60);
    expect(profileDurationS(p)).toBeCloseTo(60);
    expect(peakTps(p)).toBe(10_000);
    // 0 -> 10k over 40 s is 200k, then 20 s at 10k is 200k.
    expect(dueBy(p, 40)).toBe(200_000);
    expect(totalTransactions(p)).toBe(400_000);
    expect(dueBy(p, 20)).toBe(50_000);
  });

  it('burst runs at a quarter of the rate with the full rate over the middle third', () => {
    const p = scenarioProfile('burst', 12_000, 60);
    expect(peakTps(p)).toBe(12_000);
    const inBurst = dueBy(p, 30) - dueBy(p, 29);
    const before = dueBy(p, 10) - dueBy(p, 9);
    expect(inBurst).toBe(12_000);
    expect(before).toBe(3_000);
    expect(profileDurationS(p)).toBeCloseTo(60);
  });

  it('storm runs at half the rate with 2 s bursts at the full rate every 5 s', () => {
    const p = scenarioProfile('storm', 6_000, 30);
    expect(peakTps(p)).toBe(6_000);
    expect(profileDurationS(p)).toBeCloseTo(30);
    expect(dueBy(p, 2) - dueBy(p, 1)).toBe(3_000); // base
    expect(dueBy(p, 4.5) - dueBy(p, 3.5)).toBe(6_000); // burst
    expect(dueBy(p, 9.5) - dueBy(p, 8.5)).toBe(6_000); // the next burst
    // Per 5 s: 2.5 s base + 2 s peak + two 0.25 s edges at the mean of both.
    expect(dueBy(p, 5)).toBe(3_000 * 2.75 + 6_000 * 1.75 + 4_500 * 0.5);
  });

  it('planned offsets follow the profile', () => {
    const p = scenarioProfile('constant', 1_000, 2);
    const offsets = plannedOffsets(p, totalTransactions(p));
    expect(offsets.length).toBe(2_000);
    expect(offsets[0]).toBe(1);
    expect(offsets[999]).toBe(1_000);
    expect(offsets[1_999]).toBe(2_000);
  });

  it('rejects a non-positive rate or duration', () => {
    expect(() => scenarioProfile('constant', 0, 10)).toThrow(/rate/);
    expect(() => scenarioProfile('constant', 10, 0)).toThrow(/duration/);
  });
});

describe('drain backlogs', () => {
  const encoder = { encode: (tx: object) => Buffer.from(JSON.stringify(tx)) };
  const decode = (b: Buffer) =>
    JSON.parse(b.toString()) as { transactionId: string; originAccountId: string; eventTime: number };

  it('a storm backlog is the normal one with its event times compressed, in the same order', () => {
    const endMs = Date.UTC(2026, 10, 1);
    const normal = buildBacklog(4, 3_000, 'normal', encoder, 9, undefined, endMs);
    const storm = buildBacklog(4, 3_000, 'storm', encoder, 9, undefined, endMs);
    expect(normal.count).toBe(3_000);
    const n = normal.values.map(decode);
    const s = storm.values.map(decode);
    expect(s.map((t) => [t.transactionId, t.originAccountId])).toEqual(
      n.map((t) => [t.transactionId, t.originAccountId]),
    );
    expect(parseTransactionId(n[0]!.transactionId)).toEqual({ phase: 4, index: 0 });
    // Normal: weeks of event time; storm: 0.1 ms apart, ending at endMs (10K TPS of event time).
    expect(n.at(-1)!.eventTime - n[0]!.eventTime).toBeGreaterThan(7 * 86_400_000);
    expect(s[0]!.eventTime).toBe(endMs - 300);
    expect(s.at(-1)!.eventTime - s[0]!.eventTime).toBeLessThanOrEqual(300);
    for (let i = 1; i < s.length; i++) expect(s[i]!.eventTime).toBeGreaterThanOrEqual(s[i - 1]!.eventTime);
    expect(storm.keys[7]!.toString()).toBe(s[7]!.originAccountId);
  });

  it('flagged share is everything but ALLOW', () => {
    expect(flaggedShare({ ALLOW: 0.6, REVIEW: 0.3, BLOCK: 0.1 })).toBe(0.4);
    expect(flaggedShare({})).toBeNull();
  });
});

describe('stats and thresholds', () => {
  it('nearest-rank percentiles', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s).toMatchObject({ p50: 50, p95: 95, p99: 99, max: 100, count: 100 });
    expect(summarize([]).count).toBe(0);
  });

  it('thresholds fail on latency, loss or duplicates; no samples fail latency', () => {
    const ok = summarize([10, 20, 30]);
    const t = { p95Ms: 100, p99Ms: 250, maxLost: 0, maxDuplicated: 0 };
    expect(checkThresholds(ok, 0, 0, t).every((c) => c.pass)).toBe(true);
    expect(checkThresholds(ok, 1, 0, t).find((c) => c.metric === 'lost')?.pass).toBe(false);
    expect(checkThresholds(summarize([]), 0, 0, t).find((c) => c.metric === 'e2e_ms.p99')?.pass).toBe(false);
  });
});

describe('ids and scraping', () => {
  it('transaction ids carry phase and index', () => {
    expect(parseTransactionId(`${transactionIdPrefix(3)}1234`)).toEqual({ phase: 3, index: 1234 });
    expect(parseTransactionId('ps-12')).toBeUndefined();
    expect(parseTransactionId('b-1')).toBeUndefined();
  });

  it('parses stage histograms, batch sizes and decisions from Prometheus text', () => {
    const text = [
      'fraud_stage_duration_seconds_sum{stage="features"} 1.5',
      'fraud_stage_duration_seconds_count{stage="features"} 10',
      'fraud_stage_duration_seconds_bucket{stage="features",le="0.1"} 10',
      'fraud_batch_size_sum 5000',
      'fraud_batch_size_count 10',
      'fraud_transactions_scored_total{decision="ALLOW",model_version="v1"} 4900',
      'fraud_transactions_scored_total{decision="BLOCK",model_version="v1"} 100',
    ].join('\n');
    expect(parseStageMetrics(text)).toEqual({
      stageSumS: { features: 1.5 },
      stageCount: { features: 10 },
      batchSizeSum: 5000,
      batchSizeCount: 10,
      decisions: { ALLOW: 4900, BLOCK: 100 },
    });
  });

  it('finds the ops port in the scorer start log', () => {
    expect(opsPortOf('{"level":"info","http":"127.0.0.1:40123","msg":"scorer running"}')).toBe(40123);
    expect(opsPortOf('{"msg":"baseline running"}')).toBeUndefined();
  });
});
