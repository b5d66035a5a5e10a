/**
 * `make demo`: the product end to end on the local stack. Starts a scorer worker and the
 * simulator (producing at a modest rate, labels following), then shows a live console view of
 * throughput, end-to-end latency, decisions, precision/recall against the simulator's ground
 * truth, and the latest alerts with their reasons; starts the analyst console and the synchronous
 * scoring API and prints their URLs.
 * Ctrl-C stops everything cleanly.
 *
 *   tsx scripts/demo.ts [--rate 200] [--seconds 600]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { findRepoRoot, loadStackSettings, withStackEnv } from '@fraud/config';
import { ensureTopics } from '@fraud/kafka';
import {
  ContractSerde,
  TOPICS,
  type FraudAlert,
  type FraudDecision,
  type FraudLabel,
  type Transaction,
} from '@fraud/contracts';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '600' } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (!(rate > 0 && rate <= 5_000)) throw new Error(`--rate must be in (0, 5000], got ${values.rate}`);
if (!(seconds > 0 && seconds <= 86_400))
  throw new Error(`--seconds must be in (0, 86400], got ${values.seconds}`);

const env = withStackEnv();
const stack = loadStackSettings(env);
const root = findRepoRoot();
const children: ChildProcess[] = [];
const childLogs = new Map<string, string[]>();

function startChild(name: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  childLogs.set(name, log);
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 50) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code) => {
    if (!stopping && code !== 0) {
      console.error(`\n${name} exited with ${code}; last output:\n${log.join('').slice(-3000)}`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

/** Waits (60 s at most) for a line of a child's output to match `pattern`, and returns the match. */
function waitForChildLog(child: ChildProcess, name: string, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(check);
      reject(new Error(`${name} did not start within 60 s`));
    }, 60_000);
    const check = setInterval(() => {
      const match = pattern.exec((childLogs.get(name) ?? []).join(''));
      if (match) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(match);
      }
    }, 200);
    child.on('exit', () => {
      clearInterval(check);
      clearTimeout(timer);
    });
  });
}

// --- live statistics -----------------------------------------------------------------------
const decisions = new Map<string, FraudDecision>();
const labels = new Map<string, boolean>();
const recentAlerts: FraudAlert[] = [];
const latenciesMs: number[] = [];
/** Kafka timestamp of each transaction record not decided yet, by transaction id. */
const sentAt = new Map<string, number>();
const byDecision = { ALLOW: 0, REVIEW: 0, BLOCK: 0 };
let decidedInWindow = 0;
let throughput = 0;
const startedAt = Date.now();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function render(): void {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [id, isFraud] of labels) {
    const decision = decisions.get(id);
    if (!decision) continue;
    const flagged = decision.decision !== 'ALLOW';
    if (flagged && isFraud) tp++;
    else if (flagged) fp++;
    else if (isFraud) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : Number.NaN;
  const recall = tp + fn > 0 ? tp / (tp + fn) : Number.NaN;
  const pct = (x: number) => (Number.isNaN(x) ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
  const lines = [
    `fraud-scorer demo  (${Math.round((Date.now() - startedAt) / 1000)} s; simulator at ${rate} tx/s; Ctrl-C stops)`,
    `analyst console   ${consoleUrl}   sign in as ${consoleLogin}`,
    `scoring API       POST http://${apiAddress}/v1/score  (Bearer key ${apiKeyHint}; docs http://${apiAddress}/docs)`,
    '',
    `throughput        ${throughput.toFixed(0).padStart(7)} decisions/s`,
    `decided           ${decisions.size.toString().padStart(7)}   ALLOW ${byDecision.ALLOW}  REVIEW ${byDecision.REVIEW}  BLOCK ${byDecision.BLOCK}`,
    `e2e latency       p50 ${percentile(sorted, 50).toFixed(1)} ms   p99 ${percentile(sorted, 99).toFixed(1)} ms   (transaction record -> decision record, last ${sorted.length})`,
    `labelled          ${labels.size.toString().padStart(7)}   fraud ${[...labels.values()].filter(Boolean).length}`,
    `flagged vs truth  precision ${pct(precision)}   recall ${pct(recall)}   (REVIEW or BLOCK counts as flagged)`,
    '',
    'recent alerts:',
    ...recentAlerts.slice(-6).map((a) => {
      const reasons = a.reasonCodes
        .slice(0, 3)
        .map(
          (r) =>
            `${r.feature}=${r.value === null ? 'missing' : r.value.toFixed(2)} (${r.contribution >= 0 ? '+' : ''}${r.contribution.toFixed(2)})`,
        )
        .join(', ');
      return `  ${a.decision.padEnd(6)} ${a.score.toFixed(3)}  ${a.transactionType.padEnd(8)} ${a.transactionId}  ${reasons || '(no reason codes)'}`;
    }),
  ];
  process.stdout.write(`\x1b[2J\x1b[H${lines.join('\n')}\n`);
}

// --- wiring ----------------------------------------------------------------------------------
let stopping = false;
const kafka = new Kafka({
  clientId: 'demo',
  brokers: stack.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: `demo-${process.pid}-${Date.now()}`, readUncommitted: false });

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
          child.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  await consumer.disconnect().catch(() => undefined);
  console.log(`\ndemo stopped: ${decisions.size} decisions, ${labels.size} labels`);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// Whatever fails, the children this demo started are stopped before it exits.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    console.error(
      `\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    void stop(1);
  });
}

const registry = new SchemaRegistry({ host: stack.schemaRegistryUrl });
const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
const alertSerde = new ContractSerde<FraudAlert>(registry, 'fraud-alert');
const labelSerde = new ContractSerde<FraudLabel>(registry, 'fraud-label');
const transactionSerde = new ContractSerde<Transaction>(registry, 'transaction');

const scorer = startChild('scorer', ['services/scorer/src/main.ts'], {
  SCORER_CREATE_TOPICS: 'true',
  SCORER_INSTANCE_ID: 'demo',
});
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('scorer did not start within 60 s')), 60_000);
  const check = setInterval(() => {
    if ((childLogs.get('scorer') ?? []).join('').includes('"msg":"scorer running"')) {
      clearInterval(check);
      clearTimeout(timer);
      resolve();
    }
  }, 200);
  scorer.on('exit', () => {
    clearInterval(check);
    clearTimeout(timer);
  });
});

// The analyst console (services/console) on CONSOLE_HOST:CONSOLE_PORT, reading the scorer's
// topics and /metrics. Without CONSOLE_ADMIN_* the demo makes a local admin once and keeps its
// password in .local/console/demo-admin.txt.
const demoAdminFile = path.join(root, '.local', 'console', 'demo-admin.txt');
if (!env.CONSOLE_ADMIN_EMAIL && !existsSync(demoAdminFile)) {
  mkdirSync(path.dirname(demoAdminFile), { recursive: true });
  writeFileSync(demoAdminFile, `admin@example.com ${randomBytes(12).toString('base64url')}\n`, {
    mode: 0o600,
  });
}
const [demoEmail, demoPassword] = env.CONSOLE_ADMIN_EMAIL
  ? [env.CONSOLE_ADMIN_EMAIL, env.CONSOLE_ADMIN_PASSWORD ?? '']
  : readFileSync(demoAdminFile, 'utf8').trim().split(' ');
const consoleChild = startChild('console', ['services/console/src/main.ts'], {
  CONSOLE_CREATE_TOPICS: 'true',
  CONSOLE_ADMIN_EMAIL: demoEmail!,
  CONSOLE_ADMIN_PASSWORD: demoPassword!,
});
const consoleUrl = (await waitForChildLog(consoleChild, 'console', /console: listening on (\S+)/))[1]!;

// The synchronous scoring API (services/api) on API_HOST:API_PORT, on the scorer's feature state
// and models. Its key comes from API_KEYS or, as `make api` does, from .local/api-key.
const apiKeyFile = path.join(root, '.local', 'api-key');
if (!env.API_KEYS && !existsSync(apiKeyFile)) {
  writeFileSync(apiKeyFile, randomBytes(24).toString('hex'), { mode: 0o600 });
}
const apiKey = env.API_KEYS ? env.API_KEYS.split(',')[0]!.trim() : readFileSync(apiKeyFile, 'utf8').trim();
const apiChild = startChild('api', ['services/api/src/main.ts'], { API_KEYS: env.API_KEYS ?? apiKey });
const apiAddress = (
  await waitForChildLog(apiChild, 'api', /"http":"([^"]+)"[^\n]*"msg":"api listening"/)
)[1]!;
const apiKeyHint = env.API_KEYS ? '(API_KEYS)' : '$(cat .local/api-key)';
const consoleLogin = `${demoEmail} / ${env.CONSOLE_ADMIN_EMAIL ? '(CONSOLE_ADMIN_PASSWORD)' : demoPassword}`;

// The simulator creates the labels topic only when it starts; the view subscribes before that.
await ensureTopics(kafka, [{ topic: TOPICS.labels, numPartitions: 6 }]);
await consumer.connect();
for (const topic of [TOPICS.transactions, TOPICS.decisions, TOPICS.alerts, TOPICS.labels]) {
  await consumer.subscribe({ topic, fromBeginning: false });
}
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    if (topic === TOPICS.transactions) {
      const { value } = await transactionSerde.decode(message.value);
      if (!decisions.has(value.transactionId)) sentAt.set(value.transactionId, Number(message.timestamp));
    } else if (topic === TOPICS.decisions) {
      const { value } = await decisionSerde.decode(message.value);
      decisions.set(value.transactionId, value);
      byDecision[value.decision]++;
      decidedInWindow++;
      const sent = sentAt.get(value.transactionId);
      if (sent !== undefined) {
        sentAt.delete(value.transactionId);
        latenciesMs.push(Number(message.timestamp) - sent);
        if (latenciesMs.length > 5_000) latenciesMs.shift();
      }
    } else if (topic === TOPICS.alerts) {
      recentAlerts.push((await alertSerde.decode(message.value)).value);
      if (recentAlerts.length > 20) recentAlerts.shift();
    } else {
      const { value } = await labelSerde.decode(message.value);
      labels.set(value.transactionId, value.isFraud);
    }
  },
});

// As dense per account as the training data: the simulator gives each customer ~25 transactions
// over the simulated span, and the default model was trained on a 30-day span.
const count = Math.ceil(rate * seconds);
const simulatedDays = 30;
startChild('simulator', [
  'services/simulator/src/cli.ts',
  '--kafka',
  '--keep-event-time',
  '--start-time',
  new Date(Date.now() - (simulatedDays + 1) * 86_400_000).toISOString(),
  '--days',
  String(simulatedDays),
  '--rate',
  String(rate),
  '--count',
  String(count),
  '--max-seconds',
  String(seconds),
  '--seed',
  String(Date.now() % 100_000),
]);

setInterval(() => {
  throughput = decidedInWindow;
  decidedInWindow = 0;
  render();
}, 1_000);
setTimeout(() => void stop(0), (seconds + 30) * 1_000);
