/**
 * `npm run chaos -- [--json FILE] [--faults a,b,...] [--tps 400] [--seconds 24] [--state-dir DIR]`
 * (`make chaos`): exactly once under faults. Starts a stack of its own (infra/local/stack.sh on
 * free ports, own state directory), then per fault: private topics, scorer workers as child
 * processes, the simulator's producer at a steady rate, a read_committed reader counting
 * decisions per transaction id, and the fault in the middle of the load. The suite acts as the
 * orchestrator too: a worker that exits is restarted, as ECS would.
 *
 * Per fault it reports inputs, decisions, duplicates, missing and the longest gap without
 * decisions on one input partition; it exits 1 if any fault lost or duplicated a decision, or if
 * the takeover after a worker kill -9 took more than 10 s.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Command } from 'commander';
import { Partitioners } from 'kafkajs';
import { ContractSerde, type Transaction } from '@fraud/contracts';
import type { LabeledTransaction } from '@fraud/paysim';
import { produceToKafka, simulate } from '@fraud/simulator';
import { PrivateStack } from './private-stack.ts';
import { RunTopics, type Tally } from './run-topics.ts';
import { ScorerProcess } from './scorer-process.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PARTITIONS = 6;
const SESSION_TIMEOUT_MS = 6_000;
const TAKEOVER_LIMIT_MS = 10_000;

interface FaultContext {
  stack: PrivateStack;
  run: RunTopics;
  /** The live workers by instance id (restarted by the suite when one exits). */
  workers: Map<string, ScorerProcess>;
  startWorker(instanceId: string): ScorerProcess;
  note(text: string): void;
  /** A record written before the fault, for the registry check. */
  sampleValue: Buffer;
}

interface Fault {
  name: string;
  description: string;
  workers: number;
  /** Seconds of load before the fault. */
  atS: number;
  inject(ctx: FaultContext): Promise<void>;
  /** The longest partition gap allowed (worker kill -9 only). */
  gapLimitMs?: number;
}

const FAULTS: Fault[] = [
  {
    name: 'worker-kill',
    description: 'kill -9 one of two workers; the orchestrator restarts it at once',
    workers: 2,
    atS: 8,
    gapLimitMs: TAKEOVER_LIMIT_MS,
    async inject(ctx) {
      const victim = ctx.workers.get('w2')!;
      victim.signal('SIGKILL');
      await victim.exited; // the suite's orchestrator restarts it
    },
  },
  {
    name: 'worker-freeze',
    description: `SIGSTOP one of two workers for ${SESSION_TIMEOUT_MS / 1000 + 6} s (past the ${SESSION_TIMEOUT_MS / 1000} s session timeout), then SIGCONT: a zombie`,
    workers: 2,
    atS: 6,
    async inject(ctx) {
      const victim = ctx.workers.get('w2')!;
      victim.signal('SIGSTOP');
      await sleep(SESSION_TIMEOUT_MS + 6_000);
      victim.signal('SIGCONT');
    },
  },
  {
    name: 'redis-kill',
    description: 'kill -9 Redis (append-only file), 5 s down, then restart it',
    workers: 1,
    atS: 6,
    async inject(ctx) {
      await ctx.stack.kill('redis');
      await sleep(5_000);
      await ctx.stack.restart();
    },
  },
  {
    name: 'registry-kill',
    description:
      'kill -9 the schema registry, restart it (KafkaSQL storage), then a new worker with empty schema caches joins',
    workers: 1,
    atS: 6,
    async inject(ctx) {
      await ctx.stack.kill('registry');
      await sleep(2_000);
      await ctx.stack.restart();
      const fresh = new ContractSerde<Transaction>(
        new SchemaRegistry({ host: ctx.stack.endpoints.registryUrl }),
        'transaction',
      );
      const decoded = await fresh.decode(ctx.sampleValue);
      ctx.note(`record written before the restart decodes after it (schema id ${decoded.schemaId})`);
      ctx.startWorker('w2');
    },
  },
  {
    name: 'scale-1-3-1',
    description: 'scale 1 -> 3 workers mid-stream, then back to 1 (SIGTERM)',
    workers: 1,
    atS: 5,
    async inject(ctx) {
      ctx.startWorker('w2');
      ctx.startWorker('w3');
      await sleep(10_000);
      const leaving = [ctx.workers.get('w2')!, ctx.workers.get('w3')!];
      ctx.workers.delete('w2');
      ctx.workers.delete('w3');
      await Promise.all(leaving.map((w) => w.stop()));
    },
  },
  {
    name: 'broker-kill',
    description: 'kill -9 the Kafka broker, 30 s down, then restart it (stack.sh up)',
    workers: 1,
    atS: 6,
    async inject(ctx) {
      await ctx.stack.kill('kafka');
      await sleep(30_000);
      await ctx.stack.restart();
    },
  },
];

export interface FaultResult extends Tally {
  fault: string;
  description: string;
  ok: boolean;
  seconds: number;
  workerRestarts: number;
  notes: string[];
}

const program = new Command('chaos')
  .option('--json <file>', 'write the report here')
  .option('--faults <list>', `comma-separated subset of ${FAULTS.map((f) => f.name).join(',')}`)
  .option('--tps <n>', 'offered load per fault', (v) => Number(v), 400)
  .option('--seconds <n>', 'seconds of load per fault', (v) => Number(v), 24)
  .option('--logs <dir>', 'worker logs and duplicate details (default .local/chaos-logs)')
  .option('--state-dir <dir>', 'state directory of the suite’s own stack (default: a temporary one)');

async function runFault(
  stack: PrivateStack,
  fault: Fault,
  tps: number,
  seconds: number,
  logDir: string,
): Promise<FaultResult> {
  const started = Date.now();
  const run = new RunTopics(stack.endpoints, `chaos-${fault.name}`, PARTITIONS);
  const workers = new Map<string, ScorerProcess>();
  const notes: string[] = [];
  let restarts = 0;
  let stopping = false;
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  const keyOf = new Map<string, string>();
  // Stops the simulator when the fault run ends early, so it never outlives its run.
  const stopProducing = new AbortController();
  let producing: Promise<unknown> | undefined;
  const partitionOf = (id: string) =>
    partitioner({
      topic: run.topics.transactions,
      partitionMetadata,
      message: { key: keyOf.get(id) ?? id, value: null },
    });

  const startWorker = (instanceId: string): ScorerProcess => {
    const worker = ScorerProcess.spawn({
      endpoints: stack.endpoints,
      instanceId,
      keyPrefix: run.runId,
      topics: run.topics,
      groupId: run.groupId,
      tree: repoRoot,
      env: { SCORER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), SCORER_STARTUP_TIMEOUT_MS: '60000' },
      logFile: path.join(logDir, `${fault.name}-${instanceId}.log`),
    });
    workers.set(instanceId, worker);
    void worker.exited.then((code) => {
      if (stopping || workers.get(instanceId) !== worker) return;
      restarts++;
      notes.push(`${instanceId} exited (${code}); restarted`);
      startWorker(instanceId);
    });
    return worker;
  };

  try {
    await run.open();
    const transactions: LabeledTransaction[] = [
      ...simulate({ seed: 42, transactions: tps * seconds, idPrefix: `${run.runId}-`, customers: 2_000 }),
    ];
    const ids = transactions.map((t) => t.tx.transactionId);
    for (const { tx } of transactions) keyOf.set(tx.transactionId, tx.originAccountId);
    await run.startReader();
    const first = Array.from({ length: fault.workers }, (_, k) => startWorker(`w${k + 1}`));
    await Promise.all(first.map((w) => w.waitForLog('joined consumer group', 180_000)));

    const loadStart = Date.now();
    producing = produceToKafka({
      signal: stopProducing.signal,
      brokers: stack.endpoints.kafkaBrokers,
      registryUrl: stack.endpoints.registryUrl,
      topic: run.topics.transactions,
      labelsTopic: `${run.runId}.labels`,
      source: transactions,
      count: transactions.length,
      ratePerSecond: tps,
      maxSeconds: seconds + 120,
      labelsDelayMs: 1_000,
      partitions: PARTITIONS,
      maxOutageSeconds: 90,
      clientId: `${run.runId}-simulator`,
      onSendRetry: ({ outageMs }) => {
        if (outageMs === 0) notes.push('simulator producer: broker unreachable, retrying');
      },
    });
    await sleep(fault.atS * 1000);
    const sample = await run.readFirstInput();
    await fault.inject({
      stack,
      run,
      workers,
      startWorker,
      note: (text) => notes.push(text),
      sampleValue: sample,
    });
    const produced = await (producing as ReturnType<typeof produceToKafka>);
    notes.push(`simulator produced ${produced.transactions} in ${produced.seconds.toFixed(1)} s`);
    await run.waitForDecisions(ids, 45_000, 180_000);
    await sleep(3_000); // a late (zombie) duplicate would arrive here
    const tally = run.tally(ids, partitionOf, loadStart, Date.now());
    const gapOk = fault.gapLimitMs === undefined || tally.longestGapMs <= fault.gapLimitMs;
    if (!gapOk) notes.push(`longest gap ${tally.longestGapMs} ms > ${fault.gapLimitMs} ms`);
    if (tally.duplicates > 0) {
      writeFileSync(
        path.join(logDir, `${fault.name}-duplicates.json`),
        JSON.stringify(run.duplicatesDetail(), null, 2),
      );
      notes.push(`duplicates and worker logs in ${logDir}`);
    }
    return {
      fault: fault.name,
      description: fault.description,
      ...tally,
      ok: tally.duplicates === 0 && tally.missing === 0 && gapOk,
      seconds: Math.round((Date.now() - started) / 1000),
      workerRestarts: restarts,
      notes,
    };
  } finally {
    stopping = true;
    stopProducing.abort();
    await producing?.catch(() => undefined);
    await Promise.all([...workers.values()].map((w) => w.stop()));
    await run.close();
  }
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{
    json?: string;
    faults?: string;
    tps: number;
    seconds: number;
    stateDir?: string;
    logs?: string;
  }>();
  const wanted = opts.faults?.split(',').map((f) => f.trim());
  const unknown = wanted?.filter((w) => !FAULTS.some((f) => f.name === w)) ?? [];
  if (unknown.length > 0) {
    console.error(
      `chaos: unknown fault(s) ${unknown.join(', ')}; known: ${FAULTS.map((f) => f.name).join(', ')}`,
    );
    process.exit(2);
  }
  const faults = wanted ? FAULTS.filter((f) => wanted.includes(f.name)) : FAULTS;
  const stateDir = opts.stateDir ?? path.join(tmpdir(), `fraud-chaos-${process.pid}`);
  const suiteStart = Date.now();
  console.error(`chaos: starting a private stack in ${stateDir}`);
  const stack = await PrivateStack.start(repoRoot, stateDir);
  const logDir = opts.logs ?? path.join(repoRoot, '.local/chaos-logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const results: FaultResult[] = [];
  try {
    for (const fault of faults) {
      console.error(`chaos: ${fault.name}: ${fault.description}`);
      let result: FaultResult;
      try {
        result = await runFault(stack, fault, opts.tps, opts.seconds, logDir);
      } catch (error) {
        result = {
          fault: fault.name,
          description: fault.description,
          inputs: 0,
          decisions: 0,
          duplicates: 0,
          missing: 0,
          longestGapMs: 0,
          ok: false,
          seconds: 0,
          workerRestarts: 0,
          notes: [
            `the fault run itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          ],
        };
      }
      results.push(result);
      console.error(
        `chaos: ${fault.name}: ${result.ok ? 'ok' : 'FAILED'} inputs=${result.inputs} decisions=${result.decisions} duplicates=${result.duplicates} missing=${result.missing} longest_gap_ms=${result.longestGapMs} (${result.seconds} s)`,
      );
    }
  } finally {
    await stack
      .stop()
      .catch((error: unknown) => console.error(`chaos: stopping the stack failed: ${String(error)}`));
    if (!opts.stateDir) await rm(stateDir, { recursive: true, force: true });
  }
  const report = {
    ok: results.every((r) => r.ok),
    seconds: Math.round((Date.now() - suiteStart) / 1000),
    tps: opts.tps,
    loadSeconds: opts.seconds,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    faults: results,
  };
  console.log(JSON.stringify(report, null, 2));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2));
  process.exitCode = report.ok ? 0 : 1;
}

await main();
