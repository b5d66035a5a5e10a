/**
 * `npm run drain-compare -- [--count 200000] [--partitions 6] [--rounds 1] [--tree NAME=DIR ...] [--json FILE]`
 *
 * Drain throughput of ONE scorer worker: a backlog of `--count` simulated transactions (event
 * times spread over the last count/10K seconds, as a 10K TPS stream would leave them) is produced
 * to the run's own topics first; then one worker starts and the run measures from its group join
 * to the moment its committed offsets cover the whole backlog. `--tree` runs another checkout's
 * scorer too (e.g. the commit before a change), alternating with this one round by round, so
 * both figures come from the same machine state. Uses the stack in .local/stack.env (or the
 * KAFKA_BROKERS / SCHEMA_REGISTRY_URL / REDIS_URL variables).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ConfigError, loadStackSettings } from '@fraud/config';
import { processCpuUs } from '../proc-stats.ts';
import { RunTopics, type Encoded, type Endpoints } from './run-topics.ts';
import { ScorerProcess } from './scorer-process.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface DrainResult {
  tree: string;
  round: number;
  count: number;
  drain_s: number;
  tps: number;
  worker_cpu_us_per_tx: number;
}

const program = new Command('drain-compare')
  .option('--count <n>', 'backlog size', (v) => Number(v), 200_000)
  .option('--partitions <n>', 'partitions of the run topics', (v) => Number(v), 6)
  .option('--rounds <n>', 'rounds (each runs every tree once)', (v) => Number(v), 1)
  .option('--tree <name=dir...>', 'another checkout to compare (repeatable)', [])
  .option('--json <file>', 'write the results here');
program.parse();
const opts = program.opts<{
  count: number;
  partitions: number;
  rounds: number;
  tree: string[];
  json?: string;
}>();

function loadEndpoints(): Endpoints {
  try {
    const stack = loadStackSettings(process.env);
    return {
      kafkaBrokers: stack.kafkaBrokers,
      registryUrl: stack.schemaRegistryUrl,
      redisUrl: stack.redisUrl,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`drain-compare: no stack: ${error.message}`);
    return process.exit(2);
  }
}
const endpoints = loadEndpoints();
const trees: [string, string][] = [
  ['current', repoRoot],
  ...opts.tree.map((t) => t.split('=', 2) as [string, string]),
];

async function drainOnce(name: string, tree: string, round: number): Promise<DrainResult> {
  const run = new RunTopics(endpoints, 'drain', opts.partitions);
  let worker: ScorerProcess | undefined;
  try {
    await run.open();
    const load: Encoded = run.encode(opts.count, 7 + round, (opts.count / 10_000) * 1000);
    await run.produce(load, 0);
    worker = ScorerProcess.spawn({
      endpoints,
      instanceId: `${run.runId}-w0`,
      keyPrefix: run.runId,
      topics: run.topics,
      groupId: run.groupId,
      tree,
    });
    await worker.waitForLog('joined consumer group', 180_000);
    const startedAt = Date.now();
    const cpuBefore = processCpuUs(worker.pid) ?? NaN;
    const deadline = startedAt + 600_000;
    while ((await run.committedTotal()) < opts.count) {
      if (!worker.running) throw new Error(`worker exited:\n${worker.output().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error('backlog not drained in 600 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const drainS = (Date.now() - startedAt) / 1000;
    const cpuUs = (processCpuUs(worker.pid) ?? NaN) - cpuBefore;
    const result = {
      tree: name,
      round,
      count: opts.count,
      drain_s: Math.round(drainS * 10) / 10,
      tps: Math.round(opts.count / drainS),
      worker_cpu_us_per_tx: Math.round((cpuUs / opts.count) * 10) / 10,
    };
    console.error(
      `drain ${name} round ${round}: ${result.tps} tx/s (${result.drain_s} s, ${result.worker_cpu_us_per_tx} us CPU/tx)`,
    );
    return result;
  } finally {
    await worker?.stop();
    await run.close();
  }
}

const results: DrainResult[] = [];
for (let round = 1; round <= opts.rounds; round++) {
  // Alternate the order each round so neither tree always runs on a warmer machine.
  const order = round % 2 === 1 ? trees : [...trees].reverse();
  for (const [name, tree] of order) results.push(await drainOnce(name, tree, round));
}
const summary = Object.fromEntries(
  trees.map(([name]) => {
    const mine = results.filter((r) => r.tree === name);
    return [name, { mean_tps: Math.round(mine.reduce((s, r) => s + r.tps, 0) / mine.length), runs: mine }];
  }),
);
const report = { count: opts.count, partitions: opts.partitions, rounds: opts.rounds, summary };
console.log(JSON.stringify(report, null, 2));
if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2));
