/**
 * What `npm run bench` does, as a function (the CLI parses flags into BenchOptions and prints the
 * report; the smoke test calls it directly).
 */
import { cpus, hostname } from 'node:os';
import { findMax, type FindMaxResult } from './find-max.ts';
import { loadAverage } from './proc-stats.ts';
import { DEFAULT_THRESHOLDS, scenarioProfile, type ScenarioName, type Thresholds } from './scenarios.ts';
import { BenchSession, type DrainResult, type PhaseResult } from './session.ts';
import { round } from './stats.ts';
import type { WorkerKind } from './workers.ts';

export interface BenchOptions {
  scenario: ScenarioName;
  rateTps: number;
  durationS: number;
  workers: number;
  partitions: number;
  /** Run the workers as the baseline instead of the scorer. */
  baseline: boolean;
  /** Run the scenario, then find-max for the scorer and for the baseline; report the speedup. */
  compareBaseline: boolean;
  /** Only search for the highest sustained rate (no scenario run). */
  findMax: boolean;
  stepS: number;
  maxSteps: number;
  startTps: number;
  findMaxP99Ms: number;
  maxBatchSize?: number | undefined;
  partitionsConcurrently?: number | undefined;
  /** SCORER_COMMIT_INTERVAL_MS for the scorer workers (default: the scorer's own). */
  commitIntervalMs?: number | undefined;
  warmupS: number;
  warmupTps: number;
  seed: number;
  customers?: number | undefined;
  thresholds?: Thresholds;
  keepTopics?: boolean;
  /** Drain mode: a backlog of this many transactions (normal, then storm, plus the reference). */
  drain?: number | undefined;
  /**
   * Drain mode: records per transaction of the JVM reference (Kafka's TransactionalMessageCopier;
   * its own default is 200); undefined = no JVM reference.
   */
  javaReferenceTransactionSize?: number | undefined;
  log?: (message: string) => void;
}

/** Drain mode's report: the same backlog size drained three ways in one run. */
export interface DrainReport {
  backlog: number;
  workers: number;
  normal: DrainResult;
  storm: DrainResult;
  reference: DrainResult;
  /** Scorer tx/s on the normal backlog / the reference copier's tx/s on the same records. */
  scorer_vs_reference: number;
  /** Apache Kafka's TransactionalMessageCopier (JVM) on the same records, when asked for. */
  java_reference?: DrainResult & { transaction_size: number };
  /** Scorer tx/s on the normal backlog / the Java copier's tx/s. */
  scorer_vs_java_reference?: number;
  /** Storm drain tx/s / normal drain tx/s. */
  storm_vs_normal: number;
}

export type BenchReport = Partial<PhaseResult> & {
  run: Record<string, unknown>;
  warmup?: Pick<PhaseResult, 'sent' | 'decided' | 'lost' | 'duplicated'> | undefined;
  max_sustained_tps?: number;
  find_max?: FindMaxResult;
  baseline_tps?: number;
  speedup?: number | null;
  baseline_find_max?: FindMaxResult;
  drain?: DrainReport;
};

async function withSession<T>(
  options: BenchOptions,
  kind: WorkerKind,
  body: (session: BenchSession) => Promise<T>,
  sessions: Set<BenchSession>,
  deferWorkers = false,
): Promise<{ value: T; session: BenchSession }> {
  const session = await BenchSession.open({
    deferWorkers,
    kind,
    workers: options.workers,
    partitions: options.partitions,
    maxBatchSize: options.maxBatchSize,
    partitionsConcurrently: options.partitionsConcurrently,
    workerEnv:
      options.commitIntervalMs === undefined
        ? undefined
        : { SCORER_COMMIT_INTERVAL_MS: String(options.commitIntervalMs) },
    warmupS: options.warmupS,
    warmupTps: options.warmupTps,
    seed: options.seed,
    customers: options.customers,
    keepTopics: options.keepTopics,
    log: options.log,
  });
  sessions.add(session);
  try {
    return { value: await body(session), session };
  } finally {
    await session.close();
    sessions.delete(session);
  }
}

/** Sessions still open, so a signal handler can stop their workers. */
export const openSessions = new Set<BenchSession>();

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const kind: WorkerKind = options.baseline ? 'baseline' : 'scorer';
  const findMaxOptions = {
    startTps: options.startTps,
    stepS: options.stepS,
    maxSteps: options.maxSteps,
    p99Ms: options.findMaxP99Ms,
  };
  const startedAt = new Date().toISOString();
  const loadStart = loadAverage();
  const report: BenchReport = { run: {} };
  let runId = '';

  if (options.drain !== undefined) {
    const count = options.drain;
    const normal = await withSession(
      options,
      'scorer',
      async (s) => {
        const drained = await s.runDrain('normal', count, true);
        const size = options.javaReferenceTransactionSize;
        if (size === undefined) return { ...drained, java: undefined };
        const java = await s.runJavaReference(count, size, drained.scorer.produce_s);
        return { ...drained, java: { ...java, transaction_size: size } };
      },
      openSessions,
      true,
    );
    const storm = await withSession(
      options,
      'scorer',
      (s) => s.runDrain('storm', count, false),
      openSessions,
      true,
    );
    runId = `${normal.session.runId} ${storm.session.runId}`;
    const reference = normal.value.reference!;
    report.drain = {
      backlog: count,
      workers: options.workers,
      normal: normal.value.scorer,
      storm: storm.value.scorer,
      reference,
      scorer_vs_reference: round(normal.value.scorer.tx_per_s / reference.tx_per_s, 2),
      ...(normal.value.java
        ? {
            java_reference: normal.value.java,
            scorer_vs_java_reference: round(normal.value.scorer.tx_per_s / normal.value.java.tx_per_s, 2),
          }
        : {}),
      storm_vs_normal: round(storm.value.scorer.tx_per_s / normal.value.scorer.tx_per_s, 2),
    };
  } else if (options.findMax && !options.compareBaseline) {
    const { value, session } = await withSession(
      options,
      kind,
      (s) => findMax(s, findMaxOptions),
      openSessions,
    );
    runId = session.runId;
    report.warmup = session.warmup && pick(session.warmup);
    report.max_sustained_tps = value.max_sustained_tps;
    report.find_max = value;
  } else {
    const profile = scenarioProfile(options.scenario, options.rateTps, options.durationS);
    const { value, session } = await withSession(
      options,
      kind,
      async (s) => {
        const main = await s.runPhase(profile, options.scenario, thresholds);
        const search = options.compareBaseline ? await findMax(s, findMaxOptions) : undefined;
        return { main, search };
      },
      openSessions,
    );
    runId = session.runId;
    Object.assign(report, value.main);
    report.warmup = session.warmup && pick(session.warmup);
    if (value.search) {
      report.max_sustained_tps = value.search.max_sustained_tps;
      report.find_max = value.search;
    }
  }

  if (options.compareBaseline) {
    const other: WorkerKind = kind === 'scorer' ? 'baseline' : 'scorer';
    const { value } = await withSession(options, other, (s) => findMax(s, findMaxOptions), openSessions);
    const ours = kind === 'scorer' ? report.max_sustained_tps! : value.max_sustained_tps;
    const theirs = kind === 'scorer' ? value.max_sustained_tps : report.max_sustained_tps!;
    report.baseline_tps = theirs;
    report.baseline_find_max = kind === 'scorer' ? value : report.find_max!;
    if (kind !== 'scorer') {
      report.max_sustained_tps = ours;
      report.find_max = value;
    }
    report.speedup = theirs > 0 ? round(ours / theirs, 2) : null;
  }

  report.run = {
    id: runId,
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    worker_kind: kind,
    scenario:
      options.drain !== undefined
        ? 'drain'
        : options.findMax && !options.compareBaseline
          ? 'find-max'
          : options.scenario,
    rate_tps: options.rateTps,
    duration_s: options.durationS,
    workers: options.workers,
    partitions: options.partitions,
    partitions_concurrently: options.partitionsConcurrently ?? 3,
    max_batch_size: options.maxBatchSize ?? 'scorer default (512)',
    commit_interval_ms: options.commitIntervalMs ?? 'scorer default (20)',
    warmup: `${options.warmupS} s at ${options.warmupTps} TPS`,
    customers:
      options.customers ??
      (options.drain !== undefined ? 'simulator default (1 per 25 transactions)' : 'one per transaction'),
    host: hostname(),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    load_average_start: loadStart.map((v) => round(v, 2)),
    load_average_end: loadAverage().map((v) => round(v, 2)),
    node: process.version,
  };
  return report;
}

function pick(r: PhaseResult): Pick<PhaseResult, 'sent' | 'decided' | 'lost' | 'duplicated'> {
  return { sent: r.sent, decided: r.decided, lost: r.lost, duplicated: r.duplicated };
}

const fmt = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
};

/** The human table printed after a run. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const row = (name: string, value: unknown) => lines.push(`  ${name.padEnd(28)} ${fmt(value)}`);
  const run = report.run;
  lines.push(
    `fraud scorer benchmark: ${fmt(run.worker_kind)} x${fmt(run.workers)}, ${fmt(run.partitions)} partitions, scenario ${fmt(run.scenario)}`,
  );
  if (report.sent !== undefined) {
    row('target TPS', report.target_tps);
    row('duration s', report.duration_s);
    row('sent / decided', `${report.sent} / ${report.decided}`);
    row('lost / duplicated', `${report.lost} / ${report.duplicated}`);
    row('not sent / send errors', `${report.not_sent} / ${report.send_errors}`);
    row('offered / achieved TPS', `${report.offered_tps} / ${report.achieved_tps}`);
    const e = report.e2e_ms!;
    row('e2e ms p50/p95/p99/max', `${e.p50} / ${e.p95} / ${e.p99} / ${e.max}`);
    const v = report.e2e_visible_ms!;
    row('visible ms p50/p99', `${v.p50} / ${v.p99}`);
    row('driver lag ms p99/max', `${report.driver_lag_ms!.p99} / ${report.driver_lag_ms!.max}`);
    row('worker CPU us/tx', report.worker_cpu_us_per_tx);
    row('worker CPU cores', report.worker_cpu_cores);
    row('redis CPU us/tx', report.redis_cpu_us_per_tx);
    row('broker CPU us/tx', report.broker_cpu_us_per_tx);
    row('registry CPU us/tx', report.registry_cpu_us_per_tx);
    row('driver CPU us/tx', report.driver_cpu_us_per_tx);
    row('machine busy us/tx', report.machine_busy_us_per_tx);
    row('machine CPU utilization', report.machine_cpu_utilization);
    row('worker RSS MB (max)', report.worker_rss_mb);
    row('mean batch size', report.mean_batch_size);
    row('decision mix', report.decision_mix);
    row('flagged share', report.flagged_share);
    row(
      'stage us/tx',
      Object.entries(report.stage_us_per_tx ?? {})
        .map(([k, val]) => `${k} ${val}`)
        .join(', '),
    );
    row(
      'load average start/end',
      `${fmt(report.load_average?.start.join(' '))} / ${fmt(report.load_average?.end.join(' '))}`,
    );
    lines.push('  thresholds:');
    for (const t of report.thresholds ?? []) {
      lines.push(`    ${t.pass ? 'PASS' : 'FAIL'} ${t.metric} ${t.condition} (got ${fmt(t.value)})`);
    }
  }
  const steps = (title: string, result: FindMaxResult | undefined) => {
    if (!result) return;
    lines.push(`  ${title}: max sustained ${result.max_sustained_tps} TPS (${result.criteria})`);
    for (const s of result.steps) {
      lines.push(
        `    ${String(s.target_tps).padStart(6)} TPS ${s.passed ? 'pass' : 'FAIL'}  p99 ${fmt(s.p99_ms)} ms  achieved ${s.achieved_tps}  worker ${fmt(s.worker_cpu_us_per_tx)} us/tx  redis ${fmt(s.redis_cpu_us_per_tx)} us/tx  ${s.passed ? '' : s.why}`,
      );
    }
  };
  if (report.drain) {
    const d = report.drain;
    lines.push(`  drain: backlog ${d.backlog}, ${d.workers} worker(s)`);
    for (const r of [d.normal, d.storm, d.reference, ...(d.java_reference ? [d.java_reference] : [])]) {
      lines.push(
        `    ${r.backlog_kind.padEnd(9)} ${r.worker_kind.padEnd(7)} ${String(r.processed).padStart(7)} in ${r.drain_s} s = ${r.tx_per_s} tx/s  worker ${r.worker_cpu_us_per_tx} us/tx  broker ${fmt(r.broker_cpu_us_per_tx)} us/tx  redis ${fmt(r.redis_cpu_us_per_tx)} us/tx  lost ${r.lost} dup ${r.duplicated}` +
          (r.flagged_share !== undefined ? `  flagged ${fmt(r.flagged_share)}` : '') +
          (r.stage_us_per_tx ? `  stages ${fmt(r.stage_us_per_tx)}` : ''),
      );
    }
    row('scorer / reference tx/s', d.scorer_vs_reference);
    if (d.scorer_vs_java_reference !== undefined)
      row(
        `scorer / Java copier tx/s (${d.java_reference!.transaction_size} per transaction)`,
        d.scorer_vs_java_reference,
      );
    row('storm / normal tx/s', d.storm_vs_normal);
  }
  steps('find-max', report.find_max);
  steps('baseline find-max', report.baseline_find_max);
  if (report.speedup !== undefined) {
    row('baseline TPS', report.baseline_tps);
    row('speedup', report.speedup);
  }
  return lines.join('\n');
}
