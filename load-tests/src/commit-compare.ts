/**
 * `npm run bench:commit-compare -- [--rates 2000,5000,10000] [--intervals 0,20] [--duration 25]
 *  [--rounds 1] [--json FILE]`
 *
 * Adaptive group commit, before/after in ONE run: for every rate, one constant-rate phase per
 * SCORER_COMMIT_INTERVAL_MS value (0 = one Kafka transaction per chunk, the behaviour before
 * group commit), interleaved so both settings see the same machine state. Each phase is a fresh
 * bench session (own topics, one scorer worker, 6 partitions, 3 s warm-up). Reports per phase
 * the broker, worker and Redis CPU per transaction, the Kafka transactions committed and records
 * per transaction, and e2e p50/p95/p99. Run it under the benchmark lock.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { openSessions } from './run.ts';
import { scenarioProfile } from './scenarios.ts';
import { BenchSession, type PhaseResult } from './session.ts';

const numberList = (name: string, min: number) => (value: string) => {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < min))
    throw new InvalidArgumentError(`${name} must be a comma-separated list of integers >= ${min}`);
  return list;
};
const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be an integer >= 1`);
  return n;
};

const program = new Command('commit-compare')
  .description('Broker/worker CPU and latency per SCORER_COMMIT_INTERVAL_MS, interleaved per rate')
  .option('--rates <list>', 'offered rates (TPS)', numberList('--rates', 1), [2000, 5000, 10000])
  .option('--intervals <list>', 'SCORER_COMMIT_INTERVAL_MS values', numberList('--intervals', 0), [0, 20])
  .option('--duration <s>', 'seconds of load per phase', positiveInt('--duration'), 25)
  .option('--rounds <n>', 'repeat the whole rate x interval grid', positiveInt('--rounds'), 1)
  .option('--partitions <n>', 'partitions of the run topics', positiveInt('--partitions'), 6)
  .option('--json <file>', 'write the results here');
program.parse();
const o = program.opts<{
  rates: number[];
  intervals: number[];
  duration: number;
  rounds: number;
  partitions: number;
  json?: string;
}>();

interface Row {
  round: number;
  rate_tps: number;
  commit_interval_ms: number;
  achieved_tps: number;
  lost: number;
  duplicated: number;
  kafka_transactions: number | null;
  records_per_transaction: number | null;
  broker_cpu_us_per_tx: number | null;
  worker_cpu_us_per_tx: number;
  redis_cpu_us_per_tx: number;
  machine_busy_us_per_tx: number;
  e2e_ms: { p50: number; p95: number; p99: number };
  e2e_visible_ms: { p50: number; p95: number; p99: number };
}

const log = (m: string) => console.error(`[commit-compare] ${m}`);

async function phase(round: number, rate: number, intervalMs: number): Promise<Row> {
  const session = await BenchSession.open({
    kind: 'scorer',
    workers: 1,
    partitions: o.partitions,
    partitionsConcurrently: 3,
    workerEnv: { SCORER_COMMIT_INTERVAL_MS: String(intervalMs) },
    warmupS: 3,
    warmupTps: 2000,
    seed: 7,
    log,
  });
  openSessions.add(session);
  try {
    const r: PhaseResult = await session.runPhase(
      scenarioProfile('constant', rate, o.duration),
      `${rate} TPS, interval ${intervalMs} ms`,
    );
    const pick = (s: PhaseResult['e2e_ms']) => ({ p50: s.p50, p95: s.p95, p99: s.p99 });
    return {
      round,
      rate_tps: rate,
      commit_interval_ms: intervalMs,
      achieved_tps: r.achieved_tps,
      lost: r.lost,
      duplicated: r.duplicated,
      kafka_transactions: r.kafka_transactions,
      records_per_transaction: r.records_per_transaction,
      broker_cpu_us_per_tx: r.broker_cpu_us_per_tx,
      worker_cpu_us_per_tx: r.worker_cpu_us_per_tx,
      redis_cpu_us_per_tx: r.redis_cpu_us_per_tx,
      machine_busy_us_per_tx: r.machine_busy_us_per_tx,
      e2e_ms: pick(r.e2e_ms),
      e2e_visible_ms: pick(r.e2e_visible_ms),
    };
  } finally {
    await session.close();
    openSessions.delete(session);
  }
}

process.on('SIGINT', () => {
  void Promise.all([...openSessions].map((s) => s.close())).then(() => process.exit(130));
});

const rows: Row[] = [];
const startedAt = new Date().toISOString();
try {
  for (let round = 1; round <= o.rounds; round++) {
    for (const rate of o.rates) {
      for (const interval of o.intervals) {
        log(`round ${round}: ${rate} TPS with SCORER_COMMIT_INTERVAL_MS=${interval}`);
        rows.push(await phase(round, rate, interval));
      }
    }
  }
} catch (error) {
  console.error('commit-compare failed:', error);
  await Promise.all([...openSessions].map((s) => s.close()));
  process.exit(1);
}

const header =
  '| rate | interval ms | achieved | lost/dup | Kafka tx | records/tx | broker us/tx | worker us/tx | Redis us/tx | machine us/tx | e2e p50/p95/p99 ms |';
const lines = rows.map(
  (r) =>
    `| ${r.rate_tps} | ${r.commit_interval_ms} | ${r.achieved_tps} | ${r.lost}/${r.duplicated} | ${r.kafka_transactions ?? '-'} | ${r.records_per_transaction ?? '-'} | ${r.broker_cpu_us_per_tx ?? '-'} | ${r.worker_cpu_us_per_tx} | ${r.redis_cpu_us_per_tx} | ${r.machine_busy_us_per_tx} | ${r.e2e_ms.p50}/${r.e2e_ms.p95}/${r.e2e_ms.p99} |`,
);
console.log([header, `|${'---|'.repeat(11)}`, ...lines].join('\n'));
if (o.json) {
  mkdirSync(path.dirname(path.resolve(o.json)), { recursive: true });
  const report = {
    command: `bench:commit-compare ${process.argv.slice(2).join(' ')}`,
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    duration_s: o.duration,
    rows,
  };
  writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`JSON: ${o.json}`);
}
process.exit(0);
