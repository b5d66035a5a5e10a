/**
 * One benchmark session: the run's own topics, schema subject, consumer group, transactional ids
 * and Redis key prefix; W worker processes (the scorer or the baseline); a read_committed reader
 * of the run's decisions topic; and phases (warm-up, the measured run, find-max steps) driven
 * through them. `close()` stops the workers by PID and deletes what the run created.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { loadStackSettings } from '@fraud/config';
import { ContractSerde, valueSubject, type Transaction } from '@fraud/contracts';
import { deleteFeatureKeys } from '@fraud/features';
import { drive, type DriveResult } from './driver.ts';
import { JavaCopier, kafkaToolsLibDir } from './java-copier.ts';
import {
  loadAverage,
  machineCpuUs,
  processCpuUs,
  processRssMb,
  readPidFile,
  redisCpuUs,
} from './proc-stats.ts';
import { profileDurationS, peakTps, type RateProfile, type Thresholds } from './scenarios.ts';
import { checkThresholds, round, summarize, type LatencySummary, type ThresholdResult } from './stats.ts';
import { DecisionTracker, type PhaseTrack } from './tracker.ts';
import { opsPortOf, repoRoot, WorkerProcess, type WorkerKind } from './workers.ts';
import { buildBacklog, buildWorkload, type BacklogKind } from './workload.ts';

export interface SessionOptions {
  kind: WorkerKind;
  workers: number;
  partitions: number;
  /** SCORER_MAX_BATCH_SIZE for the scorer (default: the scorer's own). */
  maxBatchSize?: number | undefined;
  /** SCORER_PARTITIONS_CONCURRENTLY, given to the scorer and the baseline alike. @default 3 */
  partitionsConcurrently?: number | undefined;
  /** More environment for the workers (e.g. SCORER_COMMIT_INTERVAL_MS); wins over the defaults. */
  workerEnv?: Record<string, string> | undefined;
  /** Warm-up before anything is measured (JIT, registry ids, Lua script load, group settle). */
  warmupTps: number;
  warmupS: number;
  seed: number;
  /** Simulated customers per phase. @default one per transaction (see workload.ts) */
  customers?: number | undefined;
  /** Give up waiting for missing decisions after this long without progress. @default 15 */
  drainIdleS?: number;
  /** Hard cap on the wait for decisions after the last send. @default 120 */
  drainMaxS?: number;
  keepTopics?: boolean;
  /** Drain mode: open without starting workers (or warming up); runDrain starts them. */
  deferWorkers?: boolean;
  log?: (message: string) => void;
}

/** One drain: a backlog of `backlog` transactions produced first, then drained by W workers. */
export interface DrainResult {
  backlog_kind: BacklogKind | 'reference';
  worker_kind: WorkerKind | 'java-copier';
  workers: number;
  backlog: number;
  /** Transactions decided (scorer) or copied (reference). */
  processed: number;
  lost: number;
  duplicated: number;
  /** First to last output record (decision CreateTime; the copier's first batch to last commit). */
  drain_s: number;
  tx_per_s: number;
  worker_cpu_us_per_tx: number;
  broker_cpu_us_per_tx: number | null;
  redis_cpu_us_per_tx: number | null;
  machine_busy_us_per_tx: number | null;
  stage_us_per_tx?: Record<string, number>;
  decision_mix?: Record<string, number>;
  flagged_share?: number | null;
  mean_batch_size?: number | null;
  produce_s: number;
}

export interface CpuSnapshot {
  atMs: number;
  workersUs: number[];
  redisUs: number;
  brokerUs: number | undefined;
  registryUs: number | undefined;
  driverUs: number;
  machine: { busyUs: number; totalUs: number };
  stages: StageTotals;
}

/** Sums over all scorer workers of the per-stage histograms (seconds) and batch counts. */
export interface StageTotals {
  stageSumS: Record<string, number>;
  stageCount: Record<string, number>;
  batchSizeSum: number;
  batchSizeCount: number;
  /** fraud_transactions_scored_total by decision. */
  decisions: Record<string, number>;
}

export interface PhaseResult {
  label: string;
  scenario: string;
  worker_kind: WorkerKind;
  target_tps: number;
  duration_s: number;
  sent: number;
  decided: number;
  lost: number;
  duplicated: number;
  not_sent: number;
  send_errors: number;
  offered_tps: number;
  achieved_tps: number;
  e2e_ms: LatencySummary;
  e2e_visible_ms: LatencySummary;
  driver_lag_ms: { p99: number; max: number };
  produce_requests: number;
  drain_s: number;
  encode_ms: number;
  worker_cpu_us_per_tx: number;
  redis_cpu_us_per_tx: number;
  broker_cpu_us_per_tx: number | null;
  registry_cpu_us_per_tx: number | null;
  driver_cpu_us_per_tx: number;
  machine_busy_us_per_tx: number;
  machine_cpu_utilization: number;
  worker_cpu_cores: number;
  worker_rss_mb: number;
  stage_us_per_tx: Record<string, number>;
  stage_ms_per_batch: Record<string, number>;
  mean_batch_size: number | null;
  /** Kafka transactions the scorer committed in the phase (its `produce` stage count); null for the baseline. */
  kafka_transactions: number | null;
  /** Consumed records per committed Kafka transaction (adaptive group commit makes this grow). */
  records_per_transaction: number | null;
  /** Share of each decision among the phase's scored transactions (scorer workers only). */
  decision_mix: Record<string, number>;
  /** Share of scored transactions that were not ALLOW (explained and alerted). */
  flagged_share: number | null;
  load_average: { start: number[]; end: number[] };
  thresholds: ThresholdResult[];
  passed: boolean;
  timeline: { t_s: number; sent: number; decided: number; p99_ms: number }[];
  first_send_error?: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stackSettings() {
  const { kafkaBrokers: brokers, schemaRegistryUrl, redisUrl } = loadStackSettings();
  const urls = [...brokers, schemaRegistryUrl, redisUrl];
  // Load only on loopback: refuse anything else.
  for (const u of urls) {
    if (!/(^|\/\/|@)(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(u)) {
      throw new Error(`bench runs against loopback only; ${u} is not 127.0.0.1`);
    }
  }
  return { brokers, registryUrl: schemaRegistryUrl, redisUrl };
}

/** Parses the Prometheus text of one scorer into StageTotals. */
export function parseStageMetrics(text: string): StageTotals {
  const totals: StageTotals = {
    stageSumS: {},
    stageCount: {},
    batchSizeSum: 0,
    batchSizeCount: 0,
    decisions: {},
  };
  for (const line of text.split('\n')) {
    let m = /^fraud_stage_duration_seconds_(sum|count)\{[^}]*stage="([^"]+)"[^}]*\} ([\d.eE+-]+)/.exec(line);
    if (m) {
      const target = m[1] === 'sum' ? totals.stageSumS : totals.stageCount;
      target[m[2]!] = (target[m[2]!] ?? 0) + Number(m[3]);
      continue;
    }
    m = /^fraud_transactions_scored_total\{[^}]*decision="([^"]+)"[^}]*\} ([\d.eE+-]+)/.exec(line);
    if (m) {
      totals.decisions[m[1]!] = (totals.decisions[m[1]!] ?? 0) + Number(m[2]);
      continue;
    }
    m = /^fraud_batch_size_(sum|count)(?:\{[^}]*\})? ([\d.eE+-]+)/.exec(line);
    if (m) {
      if (m[1] === 'sum') totals.batchSizeSum += Number(m[2]);
      else totals.batchSizeCount += Number(m[2]);
    }
  }
  return totals;
}

function addTotals(a: StageTotals, b: StageTotals): StageTotals {
  const merge = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    stageSumS: merge(a.stageSumS, b.stageSumS),
    stageCount: merge(a.stageCount, b.stageCount),
    batchSizeSum: a.batchSizeSum + b.batchSizeSum,
    batchSizeCount: a.batchSizeCount + b.batchSizeCount,
    decisions: merge(a.decisions, b.decisions),
  };
}

const EMPTY_TOTALS: StageTotals = {
  stageSumS: {},
  stageCount: {},
  batchSizeSum: 0,
  batchSizeCount: 0,
  decisions: {},
};

/** What one rate phase measured, for `result()` to summarise. */
interface PhaseOutcome {
  label: string;
  profile: RateProfile;
  /** Time spent encoding the workload before it was driven (reported, not part of the rate). */
  encodeMs: number;
  track: PhaseTrack;
  driven: DriveResult;
  /** Per-process CPU counters before the phase and after its drain. */
  cpu: { before: CpuSnapshot; after: CpuSnapshot };
  /** Seconds from the end of driving until every decision arrived (or the drain gave up). */
  drainS: number;
  /** The load average when the phase started. */
  loadStart: number[];
  thresholds: Thresholds | undefined;
}

/** A reference copier's drain (done = its group's committed offsets cover the backlog). */
function referenceResult(r: {
  workerKind: DrainResult['worker_kind'];
  workers: number;
  backlog: number;
  copied: number;
  wallS: number;
  workerCpuUs: number;
  before: CpuSnapshot;
  after: CpuSnapshot;
  produceS: number;
}): DrainResult {
  const perTx = (us: number) => round(us / Math.max(1, r.copied), 1);
  return {
    backlog_kind: 'reference',
    worker_kind: r.workerKind,
    workers: r.workers,
    backlog: r.backlog,
    processed: r.copied,
    lost: Math.max(0, r.backlog - r.copied),
    duplicated: Math.max(0, r.copied - r.backlog),
    drain_s: round(r.wallS, 2),
    tx_per_s: round(r.copied / r.wallS, 0),
    worker_cpu_us_per_tx: perTx(r.workerCpuUs),
    broker_cpu_us_per_tx:
      r.after.brokerUs !== undefined && r.before.brokerUs !== undefined
        ? perTx(r.after.brokerUs - r.before.brokerUs)
        : null,
    redis_cpu_us_per_tx: null,
    machine_busy_us_per_tx: perTx(r.after.machine.busyUs - r.before.machine.busyUs),
    produce_s: round(r.produceS, 1),
  };
}

export class BenchSession {
  readonly runId: string;
  readonly topics: {
    transactions: string;
    decisions: string;
    alerts: string;
    dlq: string;
    copy: string;
    copyJava: string;
  };
  readonly groupId: string;
  private readonly tracker = new DecisionTracker();
  private readonly workers: WorkerProcess[] = [];
  private readonly opsPorts: number[] = [];
  private phase = 0;
  private closing: Promise<void> | undefined;
  private kafka!: Kafka;
  private admin!: Admin;
  private producer!: Producer;
  private reader!: Consumer;
  private redis!: Redis;
  private serde!: ContractSerde<Transaction>;
  private settings!: ReturnType<typeof stackSettings>;
  private readonly brokerPid = readPidFile(path.join(repoRoot, '.local/pids/kafka.pid'));
  private readonly registryPid = readPidFile(path.join(repoRoot, '.local/pids/registry.pid'));
  readonly log: (message: string) => void;
  warmup: PhaseResult | undefined;

  private constructor(readonly options: SessionOptions) {
    this.runId = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    this.topics = {
      transactions: `${this.runId}.transactions`,
      decisions: `${this.runId}.decisions`,
      alerts: `${this.runId}.alerts`,
      dlq: `${this.runId}.dlq`,
      // Drain mode's reference copier writes here.
      copy: `${this.runId}.copy`,
      // ... and Kafka's own TransactionalMessageCopier here.
      copyJava: `${this.runId}.copy-java`,
    };
    this.groupId = `${this.runId}.scorers`;
    this.log = options.log ?? ((m) => console.error(m));
  }

  /** Creates the run's topics, starts the reader and the workers, and warms them up. */
  static async open(options: SessionOptions): Promise<BenchSession> {
    const session = new BenchSession(options);
    try {
      await session.start();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  private async start(): Promise<void> {
    const { options } = this;
    this.settings = stackSettings();
    this.kafka = new Kafka({
      clientId: this.runId,
      brokers: this.settings.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(this.topics).map((topic) => ({
        topic,
        numPartitions: options.partitions,
        replicationFactor: 1,
      })),
    });
    const registry = new SchemaRegistry({ host: this.settings.registryUrl });
    this.serde = new ContractSerde<Transaction>(registry, 'transaction');
    await this.serde.registerWriter(valueSubject(this.topics.transactions));
    this.redis = new Redis(this.settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await this.redis.connect();

    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();

    this.reader = this.kafka.consumer({
      groupId: `${this.runId}.reader`,
      readUncommitted: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 100,
    });
    await this.reader.connect();
    await this.reader.subscribe({ topic: this.topics.decisions, fromBeginning: true });
    const joined = new Promise<void>((resolve) =>
      this.reader.on(this.reader.events.GROUP_JOIN, () => resolve()),
    );
    await this.reader.run({
      eachBatch: async ({ batch }) => {
        const seen = Date.now();
        for (const m of batch.messages) {
          this.tracker.record(m.key ? m.key.toString('latin1') : '', Number(m.timestamp), seen);
        }
        await Promise.resolve();
      },
    });
    await joined;

    if (options.deferWorkers) return;
    await this.startWorkers(options.kind, this.groupId, this.runId);
    this.log(
      `run ${this.runId}: group stable; warming up (${options.warmupS} s at ${options.warmupTps} TPS)`,
    );
    if (options.warmupS > 0 && options.warmupTps > 0) {
      this.warmup = await this.runPhase(
        {
          name: 'constant',
          startTps: options.warmupTps,
          stages: [{ durationS: options.warmupS, targetTps: options.warmupTps }],
        },
        'warmup',
      );
    }
  }

  /** Spawns options.workers processes of `kind` in `groupId`; resolves when the group is Stable. */
  private async startWorkers(
    kind: WorkerKind,
    groupId: string,
    transactionalIdPrefix: string,
  ): Promise<WorkerProcess[]> {
    const { options } = this;
    this.log(
      `run ${this.runId}: starting ${options.workers} ${kind} worker(s) on ${options.partitions} partitions`,
    );
    const started: WorkerProcess[] = [];
    for (let k = 0; k < options.workers; k++) {
      started.push(
        WorkerProcess.spawn(kind, `${this.runId}-${kind}-w${k}`, {
          kafkaBrokers: this.settings.brokers,
          schemaRegistryUrl: this.settings.registryUrl,
          redisUrl: this.settings.redisUrl,
          keyPrefix: this.runId,
          topics: this.topics,
          groupId,
          transactionalIdPrefix,
          maxBatchSize: options.maxBatchSize,
          partitionsConcurrently: options.partitionsConcurrently ?? 3,
          copyOutputTopic: this.topics.copy,
          extraEnv: options.workerEnv,
        }),
      );
    }
    this.workers.push(...started);
    const lines = await Promise.all(started.map((w) => w.waitForLog(`${kind} running`, 180_000)));
    for (const line of lines) {
      const port = opsPortOf(line);
      if (port !== undefined) this.opsPorts.push(port);
    }
    await this.waitForStableGroup(120_000, groupId);
    return started;
  }

  private async waitForStableGroup(timeoutMs: number, groupId = this.groupId): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await this.admin.describeGroups([groupId]);
      const g = groups[0];
      if (g && g.state === 'Stable' && g.members.length === this.options.workers) return;
      if (Date.now() > deadline) {
        throw new Error(
          `group ${groupId} not stable with ${this.options.workers} members (state ${g?.state}, ${g?.members.length} members)`,
        );
      }
      this.assertWorkersAlive();
      await sleep(250);
    }
  }

  private assertWorkersAlive(): void {
    const dead = this.workers.find((w) => !w.running);
    if (dead) throw new Error(`${dead.kind} ${dead.instanceId} exited:\n${dead.output().slice(-3000)}`);
  }

  private async scrapeStages(): Promise<StageTotals> {
    let totals = EMPTY_TOTALS;
    for (const port of this.opsPorts) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
          signal: AbortSignal.timeout(2_000),
        });
        totals = addTotals(totals, parseStageMetrics(await response.text()));
      } catch {
        // A scrape that fails leaves that worker's stages out; CPU figures still stand.
      }
    }
    return totals;
  }

  private async snapshot(): Promise<CpuSnapshot> {
    const driver = process.cpuUsage();
    return {
      atMs: Date.now(),
      workersUs: this.workers.map((w) => processCpuUs(w.pid) ?? NaN),
      redisUs: await redisCpuUs(this.redis),
      brokerUs: this.brokerPid ? processCpuUs(this.brokerPid) : undefined,
      registryUs: this.registryPid ? processCpuUs(this.registryPid) : undefined,
      driverUs: driver.user + driver.system,
      machine: machineCpuUs(),
      stages: await this.scrapeStages(),
    };
  }

  /** Drives one load profile through the workers and measures it. */
  async runPhase(profile: RateProfile, label: string, thresholds?: Thresholds): Promise<PhaseResult> {
    const phase = this.phase++;
    const { drainIdleS = 15, drainMaxS = 120 } = this.options;
    const workload = buildWorkload(
      phase,
      profile,
      this.serde,
      this.options.seed + phase,
      this.options.customers,
    );
    const track = this.tracker.track(phase, workload.count);
    this.assertWorkersAlive();
    const loadStart = loadAverage();
    const before = await this.snapshot();
    const driven = await drive(this.producer, workload, profile, track, { topic: this.topics.transactions });
    // Wait for every acknowledged transaction's decision: bounded by idle time and a hard cap.
    const drainStart = Date.now();
    let lastUnique = -1;
    let lastProgress = Date.now();
    while (track.unique < track.acked) {
      if (track.unique !== lastUnique) {
        lastUnique = track.unique;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > drainIdleS * 1000 || Date.now() - drainStart > drainMaxS * 1000) break;
      if (this.workers.every((w) => !w.running)) break;
      await sleep(100);
    }
    await sleep(1_000); // late duplicates, if any, arrive now
    const drainS = (Date.now() - drainStart) / 1000;
    const after = await this.snapshot();
    return this.result({
      label,
      profile,
      encodeMs: workload.encodeMs,
      track,
      driven,
      cpu: { before, after },
      drainS,
      loadStart,
      thresholds,
    });
  }

  /**
   * Drain mode (the session must be opened with deferWorkers): produces a `kind` backlog of
   * `count` transactions, starts the scorer workers and measures how fast they decide it; then,
   * with `reference`, stops them and drains the SAME backlog again with the reference copier
   * (its own group), so both run on the same records, one after the other.
   */
  async runDrain(
    kind: BacklogKind,
    count: number,
    reference: boolean,
  ): Promise<{ scorer: DrainResult; reference?: DrainResult }> {
    if (!this.options.deferWorkers || this.workers.length > 0) {
      throw new Error('runDrain needs a session opened with deferWorkers and no workers yet');
    }
    const phase = this.phase++;
    const workload = buildBacklog(
      phase,
      count,
      kind,
      this.serde,
      this.options.seed + phase,
      this.options.customers,
    );
    const track = this.tracker.track(phase, count);
    const produceStart = Date.now();
    // Everything at once: a rate no driver reaches, bounded by count and by 600 s.
    const driven = await drive(
      this.producer,
      workload,
      { name: 'constant', startTps: 1e9, stages: [{ durationS: 1, targetTps: 1e9 }] },
      track,
      { topic: this.topics.transactions, overrunS: 600 },
    );
    const produceS = (Date.now() - produceStart) / 1000;
    if (track.acked < count) {
      throw new Error(
        `backlog: only ${track.acked} of ${count} produced (${driven.firstError ?? 'timeout'})`,
      );
    }
    this.log(`run ${this.runId}: ${kind} backlog of ${count} produced in ${produceS.toFixed(1)} s`);

    const scorers = await this.startWorkers('scorer', this.groupId, this.runId);
    // CPU from the first decision on: start-up (tsx, model load, group join) is not drain work.
    const firstDeadline = Date.now() + 120_000;
    while (track.unique === 0 && Date.now() < firstDeadline) await sleep(5);
    const decidedAtStart = track.unique;
    const before = await this.snapshot();
    let lastUnique = -1;
    let lastProgress = Date.now();
    const drainDeadline = Date.now() + 600_000;
    while (track.unique < track.acked) {
      if (track.unique !== lastUnique) {
        lastUnique = track.unique;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > 15_000 || Date.now() > drainDeadline) break;
      if (scorers.every((w) => !w.running)) break;
      await sleep(20);
    }
    await sleep(1_000); // late duplicates, if any, arrive now
    const after = await this.snapshot();
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < count; i++) {
      const t = track.decidedAtMs[i]!;
      if (t < first) first = t;
      if (t > last) last = t;
    }
    const decided = track.unique;
    const measured = Math.max(1, decided - decidedAtStart);
    const perTx = (us: number | undefined) => (us === undefined ? null : round(us / measured, 1));
    const drainS = decided > 0 ? (last - first) / 1000 : NaN;
    const stageUs: Record<string, number> = {};
    for (const [stage, sum] of Object.entries(after.stages.stageSumS)) {
      stageUs[stage] = round((sum * 1e6) / Math.max(1, decided), 1);
    }
    const scored = Object.values(after.stages.decisions).reduce((a, b) => a + b, 0);
    const mix: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.stages.decisions))
      mix[k] = scored > 0 ? round(v / scored, 4) : NaN;
    const scorer: DrainResult = {
      backlog_kind: kind,
      worker_kind: 'scorer',
      workers: scorers.length,
      backlog: count,
      processed: decided,
      lost: Math.max(0, track.acked - decided),
      duplicated: track.duplicated,
      drain_s: round(drainS, 2),
      tx_per_s: round(decided / drainS, 0),
      worker_cpu_us_per_tx: round(
        after.workersUs.reduce((sum, v, k) => sum + (v - before.workersUs[k]!), 0) / measured,
        1,
      ),
      broker_cpu_us_per_tx:
        after.brokerUs !== undefined && before.brokerUs !== undefined
          ? perTx(after.brokerUs - before.brokerUs)
          : null,
      redis_cpu_us_per_tx: perTx(after.redisUs - before.redisUs),
      machine_busy_us_per_tx: perTx(after.machine.busyUs - before.machine.busyUs),
      stage_us_per_tx: stageUs,
      decision_mix: mix,
      flagged_share: flaggedShare(mix),
      mean_batch_size:
        after.stages.batchSizeCount > 0
          ? round(after.stages.batchSizeSum / after.stages.batchSizeCount, 1)
          : null,
      produce_s: round(produceS, 1),
    };
    this.log(`run ${this.runId}: scorer drained ${decided} in ${scorer.drain_s} s (${scorer.tx_per_s} tx/s)`);
    if (!reference) return { scorer };

    await Promise.all(scorers.map((w) => w.stop(15_000)));
    const refBefore = await this.snapshot();
    const copierGroup = `${this.runId}.copier`;
    const copiers = await this.startWorkers('copier', copierGroup, `${this.runId}-ref`);
    // A copier without partitions never starts: wait for the first one that does.
    const started: ({ atMs: number; cpuUs: number } | undefined)[] = copiers.map(() => undefined);
    copiers.forEach((w, k) => {
      w.waitForLog('copy started', 600_000).then(
        (line) => (started[k] = JSON.parse(line) as { atMs: number; cpuUs: number }),
        () => undefined,
      );
    });
    const startDeadline = Date.now() + 600_000;
    while (started.every((x) => x === undefined) && Date.now() < startDeadline) await sleep(5);
    const firstAtMs = Math.min(...started.map((x) => x?.atMs ?? Infinity));
    // Done = the group's committed offsets cover the whole backlog.
    let copied = 0;
    const copyDeadline = Date.now() + 600_000;
    while (copied < count && Date.now() < copyDeadline) {
      await sleep(50);
      copied = await this.committedRecords(copierGroup);
    }
    const doneMs = Date.now();
    const refAfter = await this.snapshot();
    // Copier CPU from its first batch on: /proc total now minus what it reported at that batch.
    let copierCpuUs = 0;
    for (const [k, w] of copiers.entries()) {
      if (started[k]) copierCpuUs += (processCpuUs(w.pid) ?? NaN) - started[k].cpuUs;
    }
    const ref = referenceResult({
      workerKind: 'copier',
      workers: copiers.length,
      backlog: count,
      copied,
      wallS: (doneMs - firstAtMs) / 1000,
      workerCpuUs: copierCpuUs,
      before: refBefore,
      after: refAfter,
      produceS,
    });
    this.log(`run ${this.runId}: reference copied ${copied} in ${ref.drain_s} s (${ref.tx_per_s} tx/s)`);
    return { scorer, reference: ref };
  }

  /**
   * Drain mode's JVM reference, after runDrain: Apache Kafka's TransactionalMessageCopier (one JVM,
   * group mode, `transactionSize` records per transaction) drains the SAME backlog again in its own
   * group. Timed like the kafkajs copier: from its first committed transaction (JVM start-up left
   * out) until the group's committed offsets cover the backlog.
   */
  async runJavaReference(count: number, transactionSize: number, produceS: number): Promise<DrainResult> {
    const libDir = await kafkaToolsLibDir();
    const before = await this.snapshot();
    const groupId = `${this.runId}.java-copier`;
    const copier = new JavaCopier({
      libDir,
      brokers: this.settings.brokers,
      inputTopic: this.topics.transactions,
      outputTopic: this.topics.copyJava,
      groupId,
      transactionalId: `${this.runId}-java-copier`,
      transactionSize,
    });
    try {
      const startDeadline = Date.now() + 120_000;
      while (copier.firstCommit === undefined && copier.running && Date.now() < startDeadline) await sleep(5);
      const first = copier.firstCommit;
      if (first === undefined) {
        throw new Error(
          `the Java copier committed nothing within 120 s: ${copier.errorOutput() || 'no output'}`,
        );
      }
      let copied = 0;
      const copyDeadline = Date.now() + 600_000;
      while (copied < count && Date.now() < copyDeadline) {
        copier.sampleCpu();
        if (!copier.running && copier.exitCode !== 0) break;
        await sleep(50);
        copied = await this.committedRecords(groupId);
      }
      const doneMs = Date.now();
      const after = await this.snapshot();
      if (copied < count && copier.exitCode !== undefined && copier.exitCode !== 0) {
        this.log(`run ${this.runId}: Java copier exited ${copier.exitCode}: ${copier.errorOutput()}`);
      }
      const result = referenceResult({
        workerKind: 'java-copier',
        workers: 1,
        backlog: count,
        copied,
        wallS: (doneMs - first.atMs) / 1000,
        workerCpuUs: (copier.lastCpuUs ?? NaN) - first.cpuUs,
        before,
        after,
        produceS,
      });
      this.log(
        `run ${this.runId}: Java copier copied ${copied} in ${result.drain_s} s (${result.tx_per_s} tx/s)`,
      );
      return result;
    } finally {
      await copier.stop();
    }
  }

  /** Records a group has committed on the run's input topic (the sum of its committed offsets). */
  private async committedRecords(groupId: string): Promise<number> {
    const offsets = await this.admin.fetchOffsets({ groupId, topics: [this.topics.transactions] });
    return offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  private result(phase: PhaseOutcome): PhaseResult {
    const { label, profile, encodeMs, track, driven, drainS, loadStart, thresholds } = phase;
    const { before, after } = phase.cpu;
    const e2e: number[] = [];
    const visible: number[] = [];
    let lastDecision = driven.startMs;
    let lastSent = driven.startMs;
    const durationS = profileDurationS(profile);
    const seconds = Math.ceil(durationS + drainS + 10);
    const sentPerS = new Array<number>(seconds).fill(0);
    const decidedPerS = new Array<number>(seconds).fill(0);
    const latPerS: number[][] = Array.from({ length: seconds }, () => []);
    for (let i = 0; i < track.count; i++) {
      const sent = track.sentAtMs[i]!;
      if (Number.isNaN(sent)) continue;
      if (sent > lastSent) lastSent = sent;
      const sec = Math.min(seconds - 1, Math.max(0, Math.floor((sent - driven.startMs) / 1000)));
      sentPerS[sec]!++;
      const decided = track.decidedAtMs[i]!;
      if (Number.isNaN(decided)) continue;
      const latency = decided - sent;
      e2e.push(latency);
      visible.push(track.seenAtMs[i]! - sent);
      latPerS[sec]!.push(latency);
      if (decided > lastDecision) lastDecision = decided;
      const dsec = Math.min(seconds - 1, Math.max(0, Math.floor((decided - driven.startMs) / 1000)));
      decidedPerS[dsec]!++;
    }
    const decided = track.unique;
    const lost = Math.max(0, track.acked - decided);
    const duplicated = track.duplicated;
    const latency = summarize(e2e);
    const perTx = (us: number | undefined) =>
      us === undefined || decided === 0 ? NaN : round(us / decided, 1);
    const workerUs = after.workersUs.reduce((sum, v, k) => sum + (v - before.workersUs[k]!), 0);
    const wallS = (after.atMs - before.atMs) / 1000;
    const machineBusy = after.machine.busyUs - before.machine.busyUs;
    const machineTotal = after.machine.totalUs - before.machine.totalUs;
    const stageUs: Record<string, number> = {};
    const stageMsPerBatch: Record<string, number> = {};
    for (const [stage, sum] of Object.entries(after.stages.stageSumS)) {
      const dSum = sum - (before.stages.stageSumS[stage] ?? 0);
      const dCount = (after.stages.stageCount[stage] ?? 0) - (before.stages.stageCount[stage] ?? 0);
      stageUs[stage] = perTx(dSum * 1e6);
      stageMsPerBatch[stage] = dCount > 0 ? round((dSum * 1000) / dCount, 2) : NaN;
    }
    const decisionMix: Record<string, number> = {};
    const scoredDeltas = Object.entries(after.stages.decisions).map(
      ([k, v]) => [k, v - (before.stages.decisions[k] ?? 0)] as const,
    );
    const scoredTotal = scoredDeltas.reduce((sum, [, v]) => sum + v, 0);
    for (const [k, v] of scoredDeltas) decisionMix[k] = scoredTotal > 0 ? round(v / scoredTotal, 4) : NaN;
    const batches = after.stages.batchSizeCount - before.stages.batchSizeCount;
    // The scorer observes its `produce` stage once per committed transaction.
    const transactions = (after.stages.stageCount.produce ?? 0) - (before.stages.stageCount.produce ?? 0);
    const rss = Math.max(0, ...this.workers.map((w) => processRssMb(w.pid)?.peakMb ?? 0));
    const trim = (n: number) => {
      let end = n;
      while (end > 0 && sentPerS[end - 1] === 0 && decidedPerS[end - 1] === 0) end--;
      return end;
    };
    const timeline = sentPerS.slice(0, trim(seconds)).map((sent, t) => ({
      t_s: t,
      sent,
      decided: decidedPerS[t]!,
      p99_ms: round(summarize(latPerS[t]!).p99, 0),
    }));
    const lag = summarize(driven.lagMs);
    const checks = checkThresholds(
      latency,
      lost,
      duplicated,
      thresholds ?? { p95Ms: Infinity, p99Ms: Infinity, maxLost: 0, maxDuplicated: 0 },
    );
    return {
      label,
      scenario: profile.name,
      worker_kind: this.options.kind,
      target_tps: peakTps(profile),
      duration_s: round(durationS, 2),
      sent: track.acked,
      decided,
      lost,
      duplicated,
      not_sent: driven.notSent,
      send_errors: driven.sendErrors,
      offered_tps: round(track.acked / Math.max(1e-3, (lastSent - driven.startMs) / 1000 || durationS), 0),
      achieved_tps: round(decided / Math.max(1e-3, (lastDecision - driven.startMs) / 1000), 0),
      e2e_ms: roundSummary(latency),
      e2e_visible_ms: roundSummary(summarize(visible)),
      driver_lag_ms: { p99: round(lag.p99, 0), max: round(lag.max, 0) },
      produce_requests: driven.requests,
      drain_s: round(drainS, 1),
      encode_ms: round(encodeMs, 0),
      worker_cpu_us_per_tx: perTx(workerUs),
      redis_cpu_us_per_tx: perTx(after.redisUs - before.redisUs),
      broker_cpu_us_per_tx:
        after.brokerUs !== undefined && before.brokerUs !== undefined
          ? perTx(after.brokerUs - before.brokerUs)
          : null,
      registry_cpu_us_per_tx:
        after.registryUs !== undefined && before.registryUs !== undefined
          ? perTx(after.registryUs - before.registryUs)
          : null,
      driver_cpu_us_per_tx: perTx(after.driverUs - before.driverUs),
      machine_busy_us_per_tx: perTx(machineBusy),
      machine_cpu_utilization: round(machineTotal > 0 ? machineBusy / machineTotal : NaN, 3),
      worker_cpu_cores: round(workerUs / 1e6 / wallS, 2),
      worker_rss_mb: round(rss, 0),
      stage_us_per_tx: stageUs,
      stage_ms_per_batch: stageMsPerBatch,
      decision_mix: decisionMix,
      flagged_share: flaggedShare(decisionMix),
      mean_batch_size:
        batches > 0 ? round((after.stages.batchSizeSum - before.stages.batchSizeSum) / batches, 1) : null,
      kafka_transactions: transactions > 0 ? transactions : null,
      records_per_transaction:
        transactions > 0
          ? round((after.stages.batchSizeSum - before.stages.batchSizeSum) / transactions, 1)
          : null,
      load_average: { start: loadStart.map((v) => round(v, 2)), end: loadAverage().map((v) => round(v, 2)) },
      thresholds: checks,
      passed: checks.every((c) => c.pass),
      timeline,
      first_send_error: driven.firstError,
    };
  }

  /** Stops the workers by PID (SIGTERM, SIGKILL after a grace) and deletes the run's topics, groups and keys. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const steps: [string, () => Promise<unknown>][] = [
      ['workers', () => Promise.all(this.workers.map((w) => w.stop(15_000)))],
      ['reader', () => this.reader?.disconnect() ?? Promise.resolve()],
      ['producer', () => this.producer?.disconnect() ?? Promise.resolve()],
      [
        'topics',
        async () => {
          if (this.options.keepTopics || !this.admin) return;
          await this.admin.deleteTopics({ topics: Object.values(this.topics), timeout: 30_000 });
        },
      ],
      ['groups', () => this.admin?.deleteGroups([this.groupId, `${this.runId}.reader`]) ?? Promise.resolve()],
      ['admin', () => this.admin?.disconnect() ?? Promise.resolve()],
      ['redis keys', () => this.deleteKeys()],
      ['schema subjects', () => this.deleteSubjects()],
      ['redis', () => this.redis?.quit() ?? Promise.resolve()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.log(`cleanup step "${name}" failed: ${String(error)}`);
      }
    }
  }

  private async deleteKeys(): Promise<void> {
    if (!this.redis || this.redis.status !== 'ready') return;
    const deleted = await deleteFeatureKeys(this.redis, this.runId);
    this.log(`run ${this.runId}: deleted ${deleted} Redis keys`);
  }

  private async deleteSubjects(): Promise<void> {
    if (!this.settings) return;
    const base = this.settings.registryUrl.replace(/\/$/, '');
    for (const topic of [this.topics.transactions, this.topics.decisions, this.topics.alerts]) {
      await fetch(`${base}/subjects/${encodeURIComponent(valueSubject(topic))}`, {
        method: 'DELETE',
        signal: AbortSignal.timeout(5_000),
      }).catch(() => undefined);
    }
  }
}

/** 1 - the ALLOW share; null when nothing was scored (the baseline exposes no decision counts). */
export function flaggedShare(mix: Record<string, number>): number | null {
  const shares = Object.values(mix).filter((v) => Number.isFinite(v));
  if (shares.length === 0) return null;
  return round(1 - (mix.ALLOW ?? 0), 4);
}

function roundSummary(s: LatencySummary): LatencySummary {
  return {
    p50: round(s.p50, 1),
    p95: round(s.p95, 1),
    p99: round(s.p99, 1),
    max: round(s.max, 1),
    mean: round(s.mean, 1),
    count: s.count,
  };
}
