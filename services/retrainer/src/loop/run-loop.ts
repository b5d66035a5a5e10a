import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { deleteFeatureKeys } from '@fraud/features';
import { OnnxScorer, readModelRegistry } from '@fraud/model';
import { createClients } from '../clients.ts';
import type { RetrainerEnv } from '../config.ts';
import { DEFAULT_GATE_POLICY, type GatePolicy } from '../gate.ts';
import { loadRegistryVersion } from '../models.ts';
import { runGate } from '../promotion.ts';
import { REPO_ROOT, retrain } from '../retrain.ts';
import { DecisionTail } from './decision-tail.ts';
import { ServiceProcess, runTsCli } from './processes.ts';

export interface LoopOptions {
  env: RetrainerEnv;
  redisUrl: string;
  /** Working directory (models, datasets, logs). @default <repo>/.local/loop/<run id> */
  workDir?: string;
  /** Rows of the file the starting champion is trained on (deliberately little). @default 20000 */
  seedTransactions?: number;
  /** Live transactions before the retrain (its dataset). @default 30000 */
  phase1Transactions?: number;
  /** Live transactions shadowed by the challenger (the gate's evidence). @default 20000 */
  phase2Transactions?: number;
  /** Live transactions after the gate (decided by the new champion when promoted). @default 2000 */
  phase3Transactions?: number;
  /** Simulator rate, transactions per second. @default 2000 */
  rate?: number;
  /** Share of fraudulent transactions (raised from PaySim's 0.15% so a short run has enough). @default 0.01 */
  fraudRate?: number;
  /** Each label follows its transaction by this much (the simulator's stand-in for weeks). @default 1000 */
  labelDelayMs?: number;
  /** Maturity window in loop time (see README "Time"). @default 5000 */
  maturityMs?: number;
  gatePolicy?: Partial<GatePolicy>;
  /** Options for the starting champion's training (kept weak). */
  seedTrainArgs?: readonly string[];
  log?: (message: string) => void;
}

export interface LoopResult {
  run_id: string;
  labels_joined: number;
  frauds_joined: number;
  dataset_id: string;
  champion_before: string;
  challenger_version: string;
  champion_pr_auc: number;
  challenger_pr_auc: number;
  promoted: boolean;
  champion_after: string;
  decisions_by_new_champion: number;
  gate_checks: { name: string; passed: boolean }[];
  /** Logged vectors re-scored by the model that decided them, reproducing its score exactly. */
  logged_vectors_verified: number;
  shadow_labelled: number;
  shadow_frauds: number;
  /** The one scorer process that decided with both champions (never restarted). */
  scorer_pid: number | undefined;
  wall_time_s: number;
  work_dir: string;
}

const SIMULATOR = path.join(REPO_ROOT, 'services/simulator/src/cli.ts');
const TRAINER = path.join(REPO_ROOT, 'services/trainer/src/cli/train.ts');
const SCORER = path.join(REPO_ROOT, 'services/scorer/src/main.ts');

/**
 * The whole feedback loop on a live stack, with its own topics, consumer groups, transactional
 * ids, Redis key prefix and models directory (so it runs beside anything else on the stack):
 *
 * seed champion (trained on little data) -> scorer -> simulated traffic + delayed labels ->
 * logged features -> dataset -> retrain -> challenger shadowed (hot reload) -> more labelled
 * traffic -> gate -> promotion -> the same scorer process decides with the new champion.
 */
export async function runLoop(options: LoopOptions): Promise<LoopResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const runId = `loop-${Date.now().toString(36)}-${process.pid}`;
  const workDir = options.workDir ?? path.join(REPO_ROOT, '.local', 'loop', runId);
  const modelsDir = path.join(workDir, 'models');
  const logsDir = path.join(workDir, 'logs');
  await mkdir(modelsDir, { recursive: true });
  await mkdir(logsDir, { recursive: true });
  const topics = {
    transactions: `${runId}.transactions`,
    decisions: `${runId}.decisions`,
    alerts: `${runId}.alerts`,
    dlq: `${runId}.dlq`,
    labels: `${runId}.labels`,
  };
  const rate = options.rate ?? 2000;
  const fraudRate = options.fraudRate ?? 0.01;
  const labelDelayMs = options.labelDelayMs ?? 1000;
  const maturityMs = options.maturityMs ?? 5000;
  const policy: GatePolicy = { ...DEFAULT_GATE_POLICY, maxAlertRate: 0.2, ...options.gatePolicy };
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: options.env.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: options.env.schemaRegistryUrl,
    REDIS_URL: options.redisUrl,
  };
  const { kafka, registry } = createClients(options.env, runId);
  const admin = kafka.admin();
  await admin.connect();
  let scorer: ServiceProcess | undefined;
  const tail = new DecisionTail(kafka, registry, topics.decisions);
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });

    // 1. The starting champion: deliberately weak (little data, few shallow trees).
    log(`seed champion: ${options.seedTransactions ?? 20_000} simulated transactions`);
    const seedCsv = path.join(workDir, 'seed.csv');
    await runTsCli(
      SIMULATOR,
      [
        '--transactions',
        String(options.seedTransactions ?? 20_000),
        '--seed',
        '3',
        '--fraud-rate',
        String(fraudRate),
        '--out',
        seedCsv,
      ],
      childEnv,
      path.join(logsDir, 'simulator-seed.log'),
      120_000,
    );
    await runTsCli(
      TRAINER,
      [
        '--data',
        seedCsv,
        '--out',
        modelsDir,
        ...(options.seedTrainArgs ?? ['--rounds', '8', '--max-depth', '2']),
      ],
      childEnv,
      path.join(logsDir, 'train-seed.log'),
      300_000,
    );
    const championBefore = (await readModelRegistry(modelsDir)).champion;

    // 2. One scorer process for the whole run: it must switch models without a restart.
    scorer = new ServiceProcess(
      SCORER,
      {
        ...childEnv,
        TOPIC_TRANSACTIONS: topics.transactions,
        TOPIC_DECISIONS: topics.decisions,
        TOPIC_ALERTS: topics.alerts,
        TOPIC_DLQ: topics.dlq,
        SCORER_GROUP_ID: runId,
        SCORER_INSTANCE_ID: runId,
        SCORER_TRANSACTIONAL_ID_PREFIX: runId,
        REDIS_KEY_PREFIX: runId,
        MODEL_REGISTRY_DIR: modelsDir,
        MODEL_POLL_INTERVAL_MS: '1000',
        SCORER_FEATURE_LOG: 'decision',
        SCORER_HTTP_PORT: '0',
        LOG_LEVEL: 'info',
      },
      path.join(logsDir, 'scorer.log'),
    );
    const scorerPid = scorer.pid;
    await tail.start();

    const simulate = async (phase: string, count: number, seed: number): Promise<void> => {
      log(`${phase}: ${count} transactions at ${rate}/s with labels ${labelDelayMs} ms later`);
      await runTsCli(
        SIMULATOR,
        [
          '--kafka',
          '--rate',
          String(rate),
          '--count',
          String(count),
          '--seed',
          String(seed),
          '--fraud-rate',
          String(fraudRate),
          '--labels-delay-ms',
          String(labelDelayMs),
          '--topic',
          topics.transactions,
          '--labels-topic',
          topics.labels,
          '--id-prefix',
          `${runId}-${phase}-`,
        ],
        childEnv,
        path.join(logsDir, `simulator-${phase}.log`),
        Math.max(120_000, (count / rate) * 1000 * 3 + 60_000),
      );
    };
    const waitForDecisions = (total: number, what: string): Promise<void> =>
      tail.until(() => tail.total >= total, what, 180_000);

    // 3. Live traffic decided by the seed champion; every decision logs its feature vector.
    const phase1 = options.phase1Transactions ?? 30_000;
    const phase1Start = Date.now();
    await simulate('p1', phase1, 7);
    await waitForDecisions(phase1, `${phase1} decisions of phase 1`);
    const verifiedVectors = await verifyLoggedFeatures(modelsDir, championBefore, tail.sample);
    log(`logged features: ${verifiedVectors} vectors re-scored by ${championBefore} give the logged scores`);

    // 4-5. Dataset from the logged vectors + labels, retrain, backtest, register challenger.
    await sleep(labelDelayMs + 500); // the simulator has sent every owed label; let them commit
    const asOfMs = Date.now();
    log('dataset + retrain');
    const retrained = await retrain({
      modelsDir,
      build: {
        kafka,
        registry,
        topics: { decisions: topics.decisions, labels: topics.labels },
        fromMs: phase1Start - 60_000,
        toMs: Date.now(),
        asOfMs,
        maturityMs,
        minFrauds: policy.minFrauds,
        outDir: path.join(workDir, 'datasets'),
        bounds: { maxMs: 120_000 },
      },
      trainerOutput: 'ignore',
    });
    const manifest = retrained.dataset.manifest;
    log(`challenger ${retrained.challengerVersion} from ${manifest.dataset_id} (${manifest.rows} rows)`);

    // 6-7. Labelled traffic while the challenger shadows. The scorer picks it up by polling and
    // warms it first (the TreeSHAP tables take a moment on a busy box): wait for its log line, so
    // every phase-2 decision is shadowed and the gate's labelled count does not depend on timing.
    await waitForLogLine(
      path.join(logsDir, 'scorer.log'),
      (line) =>
        line.includes('"msg":"model swapped"') && line.includes(`"to":"${retrained.challengerVersion}"`),
      `the scorer shadowing challenger ${retrained.challengerVersion}`,
      60_000,
    );
    const phase2 = options.phase2Transactions ?? 20_000;
    const before2 = tail.total;
    await simulate('p2', phase2, 8);
    await waitForDecisions(before2 + phase2, `${phase2} decisions of phase 2`);
    const shadowed = tail.byChallenger.get(retrained.challengerVersion) ?? 0;
    if (shadowed === 0)
      throw new Error(`the scorer never shadowed challenger ${retrained.challengerVersion}`);
    await sleep(labelDelayMs + 500);

    // 8-9. The gate on labelled shadow traffic; promotion when the challenger is better.
    log('gate');
    const gate = await runGate({
      kafka,
      registry,
      topics: { decisions: topics.decisions, labels: topics.labels },
      modelsDir,
      policy,
      asOfMs: Date.now(),
      maturityMs,
      promote: true,
      bounds: { maxMs: 120_000 },
    });
    log(
      `gate ${gate.passed ? 'passed' : 'refused'}: ${gate.checks.map((c) => `${c.name}=${c.passed}`).join(' ')}`,
    );

    // 10. The same scorer process decides with the new champion (no restart).
    let decisionsByNewChampion = 0;
    if (gate.promoted) {
      const before3 = tail.total;
      const phase3 = options.phase3Transactions ?? 2000;
      await sleep(1500); // > MODEL_POLL_INTERVAL_MS: the scorer has re-read the registry
      await simulate('p3', phase3, 9);
      await waitForDecisions(before3 + phase3, `${phase3} decisions of phase 3`);
      decisionsByNewChampion = tail.byModel.get(gate.championAfter) ?? 0;
    }
    if (!scorer.running) throw new Error('the scorer exited during the loop (see its log)');
    return {
      run_id: runId,
      labels_joined: manifest.label_counts.fraud + manifest.label_counts.legitimate_labelled,
      frauds_joined: manifest.label_counts.fraud,
      dataset_id: manifest.dataset_id,
      champion_before: championBefore,
      challenger_version: retrained.challengerVersion,
      champion_pr_auc: round(gate.champion.pr_auc),
      challenger_pr_auc: round(gate.challenger.pr_auc),
      promoted: gate.promoted,
      champion_after: gate.championAfter,
      decisions_by_new_champion: decisionsByNewChampion,
      gate_checks: gate.checks.map((c) => ({ name: c.name, passed: c.passed })),
      logged_vectors_verified: verifiedVectors,
      shadow_labelled: gate.labelled,
      shadow_frauds: gate.frauds,
      scorer_pid: scorerPid,
      wall_time_s: Math.round((Date.now() - started) / 100) / 10,
      work_dir: path.relative(REPO_ROOT, workDir),
    };
  } finally {
    await tail.stop().catch(() => undefined);
    await scorer?.stop().catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await deleteRedisPrefix(options.redisUrl, runId).catch(() => undefined);
  }
}

/**
 * The logged vector must be exactly what the model saw: scoring it again with the model that
 * decided must give the decision's score (float32 output, so equal to the last bit).
 */
async function verifyLoggedFeatures(
  modelsDir: string,
  version: string,
  sample: readonly { modelVersion: string; score: number; values: number[] }[],
): Promise<number> {
  const rows = sample.filter((s) => s.modelVersion === version);
  if (rows.length === 0) throw new Error(`no logged feature vectors of ${version} to verify`);
  const registry = await readModelRegistry(modelsDir);
  const model = await loadRegistryVersion(modelsDir, registry, version);
  const cols = model.manifest.feature_names.length;
  const scorer = await OnnxScorer.create(model.onnxModel, {
    inputName: model.manifest.onnx.input_name,
    outputName: model.manifest.onnx.output_name,
    featureCount: cols,
  });
  try {
    const data = new Float32Array(rows.length * cols);
    rows.forEach((r, i) => data.set(r.values, i * cols));
    const scores = await scorer.scoreBatch({ data, rows: rows.length, cols });
    rows.forEach((r, i) => {
      if (scores[i] !== r.score) {
        throw new Error(
          `logged vector ${i} scores ${scores[i]} with ${version}, the decision said ${r.score}`,
        );
      }
    });
    return rows.length;
  } finally {
    await scorer.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Removes the run's feature-state keys (its private prefix) so the shared Redis keeps nothing. */
async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    await deleteFeatureKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Resolves once a line of `file` satisfies `match`; rejects after `timeoutMs`, naming `what`. */
async function waitForLogLine(
  file: string,
  match: (line: string) => boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.split('\n').some(match)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (see ${file})`);
    await sleep(200);
  }
}
