/**
 * `npm run bench -- --rate R --duration S [--workers W] [--partitions P] [--scenario NAME]
 *  [--baseline] [--find-max] [--compare-baseline] --json FILE`
 * `npm run bench -- --drain N [--workers W] --json FILE` (backlog drain: normal, storm, reference)
 *
 * Drives pre-encoded transactions at a fixed arrival rate through W worker processes on the run's
 * own topics (127.0.0.1 only), reads the decisions with read_committed, and prints a table plus
 * JSON (see load-tests/README.md for every field). Exit 0 unless the run itself broke; with
 * --strict, exit 99 when a threshold fails (k6's convention).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatReport, openSessions, runBench } from './run.ts';
import { SCENARIO_DEFAULTS, SCENARIO_NAMES, type ScenarioName } from './scenarios.ts';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be an integer >= 1`);
  return n;
};
const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number > 0`);
  return n;
};
const nonNegative = (name: string) => (value: string) => {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number >= 0`);
  return n;
};

const program = new Command('bench')
  .description('Load driver and benchmark for the fraud scorer (Kafka -> Redis -> ONNX -> decisions)')
  .addOption(
    new Option('--scenario <name>', 'load shape (k6-style scenarios)')
      .choices(SCENARIO_NAMES)
      .default('constant'),
  )
  .option(
    '--rate <tps>',
    'rate (the peak rate of ramp/burst); default depends on the scenario',
    positiveNumber('--rate'),
  )
  .option('--duration <s>', 'seconds of load (max 3600)', positiveNumber('--duration'))
  .option('--workers <n>', 'worker processes', positiveInt('--workers'), 1)
  .option('--partitions <n>', 'partitions of the run topics', positiveInt('--partitions'), 6)
  .option('--json <file>', 'write the JSON report here')
  .option(
    '--baseline',
    'run the baseline worker (eachMessage, per-message round trips) instead of the scorer',
    false,
  )
  .option(
    '--find-max',
    'search the highest rate sustained (p99 <= --p99-max ms, 0 lost); no scenario run',
    false,
  )
  .option(
    '--compare-baseline',
    'after the scenario: find-max for the scorer and for the baseline; report speedup',
    false,
  )
  .option('--step-duration <s>', 'seconds per find-max step', positiveNumber('--step-duration'), 10)
  .option('--max-steps <n>', 'find-max steps at most (per worker kind)', positiveInt('--max-steps'), 8)
  .option(
    '--start-rate <tps>',
    'first find-max rate (then doubling, then bisection)',
    positiveNumber('--start-rate'),
    2000,
  )
  .option('--p99-max <ms>', 'find-max latency criterion', positiveNumber('--p99-max'), 50)
  .option(
    '--max-batch-size <n>',
    'SCORER_MAX_BATCH_SIZE for the scorer workers',
    positiveInt('--max-batch-size'),
  )
  .option(
    '--partitions-concurrently <n>',
    'SCORER_PARTITIONS_CONCURRENTLY for scorer and baseline',
    positiveInt('--partitions-concurrently'),
    3,
  )
  .option(
    '--commit-interval-ms <ms>',
    'SCORER_COMMIT_INTERVAL_MS for the scorer workers (0 = one transaction per chunk)',
    nonNegative('--commit-interval-ms'),
  )
  .option('--warmup <s>', 'warm-up seconds before measuring (0 = none)', nonNegative('--warmup'), 3)
  .option('--warmup-rate <tps>', 'warm-up rate', positiveNumber('--warmup-rate'), 2000)
  .option('--seed <n>', 'simulator seed', positiveInt('--seed'), 7)
  .option(
    '--customers <n>',
    'simulated customers per phase (default: one per transaction)',
    positiveInt('--customers'),
  )
  .option(
    '--drain <n>',
    'drain mode: a backlog of n transactions (normal, then storm) drained by --workers, plus a reference transactional copy loop',
    positiveInt('--drain'),
  )
  .option(
    '--java-reference-txn-size <n>',
    "drain mode: records per transaction of the JVM reference, Apache Kafka's TransactionalMessageCopier (its default: 200)",
    positiveInt('--java-reference-txn-size'),
    200,
  )
  .option('--no-java-reference', 'drain mode: skip the JVM reference (no kafka-tools download, no JVM)')
  .option('--keep-topics', 'do not delete the run topics afterwards', false)
  .option('--strict', 'exit 99 when a threshold fails', false);

program.parse();
const o = program.opts<{
  scenario: ScenarioName;
  rate?: number;
  duration?: number;
  workers: number;
  partitions: number;
  json?: string;
  baseline: boolean;
  findMax: boolean;
  compareBaseline: boolean;
  stepDuration: number;
  maxSteps: number;
  startRate: number;
  p99Max: number;
  maxBatchSize?: number;
  partitionsConcurrently: number;
  commitIntervalMs?: number;
  warmup: number;
  warmupRate: number;
  seed: number;
  customers?: number;
  keepTopics: boolean;
  drain?: number;
  javaReference: boolean;
  javaReferenceTxnSize: number;
  strict: boolean;
}>();
const defaults = SCENARIO_DEFAULTS[o.scenario];
const durationS = o.duration ?? defaults.durationS;
if (durationS > 3600) program.error('--duration must be <= 3600');
if (o.maxSteps > 20) program.error('--max-steps must be <= 20');

let stopping = false;
async function stopAll(signal: string): Promise<void> {
  if (stopping) process.exit(130);
  stopping = true;
  console.error(`bench: ${signal}: stopping workers and cleaning up`);
  await Promise.all([...openSessions].map((s) => s.close()));
  process.exit(130);
}
process.on('SIGINT', () => void stopAll('SIGINT'));
process.on('SIGTERM', () => void stopAll('SIGTERM'));

try {
  const report = await runBench({
    scenario: o.scenario,
    rateTps: o.rate ?? defaults.rateTps,
    durationS,
    workers: o.workers,
    partitions: o.partitions,
    baseline: o.baseline,
    compareBaseline: o.compareBaseline,
    findMax: o.findMax,
    stepS: o.stepDuration,
    maxSteps: o.maxSteps,
    startTps: o.startRate,
    findMaxP99Ms: o.p99Max,
    maxBatchSize: o.maxBatchSize,
    partitionsConcurrently: o.partitionsConcurrently,
    commitIntervalMs: o.commitIntervalMs,
    warmupS: o.warmup,
    warmupTps: o.warmupRate,
    seed: o.seed,
    customers: o.customers,
    keepTopics: o.keepTopics,
    drain: o.drain,
    javaReferenceTransactionSize: o.javaReference ? o.javaReferenceTxnSize : undefined,
    log: (m) => console.error(`[bench] ${m}`),
  });
  report.run.command = `bench ${process.argv.slice(2).join(' ')}`;
  console.log(formatReport(report));
  if (o.json) {
    mkdirSync(path.dirname(path.resolve(o.json)), { recursive: true });
    writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`JSON: ${o.json}`);
  }
  process.exit(o.strict && report.passed === false ? 99 : 0);
} catch (error) {
  console.error('bench failed:', error);
  await Promise.all([...openSessions].map((s) => s.close()));
  process.exit(1);
}
