/**
 * `npm run bench:api -- --rps R[,R2...] --duration S --json FILE [--connections C] [--modes on,off]
 *  [--driver open|autocannon]`
 *
 * Starts the API as its own process per mode (micro-batching on = API_MAX_BATCH_SIZE 64, off = 1)
 * against the local stack's Redis (a fresh key prefix per run), warms it up, then drives POST
 * /v1/score at each fixed rate, modes alternating at each rate so both see the same machine. The
 * default driver is open-loop (undici pool, latency from each request's due time); autocannon's
 * rate mode sends per-second bursts, which measures burst latency instead (kept as --driver). Every request is a new transaction (unique id, accounts from a fixed population, so
 * feature state grows like production). Reports achieved RPS, p50/p95/p99/max latency (measured
 * per response at the client, sub-millisecond), errors by status, and the API process's CPU per
 * request (process_cpu_seconds_total from its /metrics). Load is bounded: at most 100K RPS, 600 s.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, setPriority } from 'node:os';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import type { Transaction, TransactionType } from '@fraud/contracts';
import { freePort, stackSettings, uniqueName } from '@fraud/test-support';
import { findRedisPid, machineCpuSeconds, processCpuSeconds } from './process-cpu.ts';
import { sampleSched, schedDelta } from './process-sched.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MAX_RPS = 100_000;
const MAX_DURATION_S = 600;
/** How long the open-loop driver waits for answers after the last request was due. */
const DRAIN_TIMEOUT_MS = 10_000;
const ACCOUNTS = 20_000;
const TYPES: TransactionType[] = [
  'PAYMENT',
  'PAYMENT',
  'PAYMENT',
  'TRANSFER',
  'CASH_OUT',
  'CASH_IN',
  'DEBIT',
];

type Mode = 'on' | 'off';
/** Which source tree an API process runs: this checkout, or --base-tree (a before/after comparison). */
type Tree = 'branch' | 'base';
/** One API process: a tree and a batching mode. */
interface Variant {
  tree: Tree;
  mode: Mode;
}
const variantName = (v: Variant) => (v.tree === 'branch' ? v.mode : `base-${v.mode}`);
/** open: fixed arrival rate (undici); autocannon: closed-loop connections with a per-second quota. */
type Driver = 'open' | 'autocannon';

interface RunResult {
  /** branch = this checkout; base = the --base-tree checkout. */
  tree: Tree;
  mode: Mode;
  driver: Driver;
  microBatching: boolean;
  targetRps: number;
  durationS: number;
  connections: number;
  requests: number;
  achievedRps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** Responses other than 200, by status, plus transport errors and timeouts. */
  errors: {
    total: number;
    byStatus: Record<string, number>;
    /** The API's own count per error class (fraud_api_errors_total) during the run. */
    byClass: Record<string, number>;
    transport: number;
    timeouts: number;
  };
  apiCpuUsPerRequest: number;
  /** Mean requests per micro-batch during the run (from the API's fraud_api_batch_size). */
  meanBatchSize: number;
  loadAverage1mBefore: number;
  meetsP99_10ms: boolean;
  meetsP99_25ms: boolean;
  /** Where the tail comes from: the server's own latency, stalls of each event loop, and CPU. */
  diagnostics: Diagnostics;
}

interface Diagnostics {
  /** From the API's fraud_api_request_duration_seconds (200s of /v1/score), bucket upper bounds. */
  serverLatencyMs: { p50: number; p99: number };
  /** The API's event-loop delay (prom-client's monitorEventLoopDelay, 10 ms resolution). */
  apiEventLoopDelayMs: { p99: number; max: number };
  /** The API's GC pauses (prom-client's PerformanceObserver 'gc'). */
  apiGc: { count: number; totalMs: number; over10ms: number };
  /** The same by V8's kind: minor (scavenge), major (mark-compact), incremental (marking steps), weakcb. */
  apiGcByKind: Record<string, { count: number; totalMs: number; over10ms: number }>;
  /**
   * The API's threads as the kernel saw them (/proc schedstat): CPU time vs. time runnable but
   * waiting for a core. Wait on the main thread is latency the API's code did not cause.
   */
  apiSched: ReturnType<typeof schedDelta>;
  /** The load generator's own event-loop delay (1 ms resolution) and GC pauses. */
  generatorEventLoopDelayMs: { p99: number; max: number };
  generatorGc: { count: number; totalMs: number; maxMs: number };
  /** Requests that found every pool connection busy and waited at the client. */
  clientQueued: number;
  maxInFlight: number;
  /** 100-ms windows (by due time) whose slowest request took over 25 ms, % of windows. */
  slowWindowsPct: number;
  /** CPU per process during the run, % of one core (the machine has `cpus`, so 100 * cpus is all). */
  cpuPctOfOneCore: { api?: number; redis?: number; generator: number; machine?: number; others?: number };
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      rps: { type: 'string', default: '2000' },
      duration: { type: 'string', default: '30' },
      json: { type: 'string' },
      connections: { type: 'string', default: '64' },
      modes: { type: 'string', default: 'on,off' },
      warmup: { type: 'string', default: '3' },
      models: { type: 'string', default: path.join(repoRoot, 'models') },
      driver: { type: 'string', default: 'open' },
      // Extra API environment for an experiment, e.g. --api-env API_BATCH_WAIT_MS=1 (repeatable).
      'api-env': { type: 'string', multiple: true, default: [] },
      // Write a V8 CPU profile of each API process into this directory (node --cpu-prof).
      'cpu-prof': { type: 'string' },
      // Extra node/V8 flags for the API processes, e.g. --node-flags=--single-threaded-gc (space-separated).
      'node-flags': { type: 'string', default: '' },
      // Scheduling priority of the API processes and this generator (-20..19, below 0 needs root):
      // a diagnostic that tells CPU starvation by other processes on the box from our own costs.
      nice: { type: 'string' },
      // Pin the API processes / this generator to CPUs (taskset lists, e.g. 0 and 1): on a 2-core box
      // the API gets a core of its own and the generator (and a Redis pinned likewise) the other.
      'api-cpus': { type: 'string' },
      'generator-cpus': { type: 'string' },
      // Write each API process's stdout/stderr here (api-on.log, api-off.log), e.g. for --trace-gc.
      'api-log': { type: 'string' },
      // Also run the API of another checkout (e.g. `git archive <base> | tar -x -C DIR`, with a
      // node_modules whose @fraud links point into DIR), alternating with this one at every rate.
      'base-tree': { type: 'string' },
      // Start each API in a session of its own (setsid). With sched_autogroup_enabled=1 the kernel
      // shares the CPU between sessions first, so the API gets its own share instead of splitting
      // this command's share with the generator (which is why --nice changes nothing here).
      'api-own-session': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const fail = (message: string): never => {
    console.error(`bench:api: ${message}`);
    process.exit(2);
  };
  const rps = values.rps.split(',').map((r) => Number(r.trim()));
  if (rps.some((r) => !Number.isInteger(r) || r < 1 || r > MAX_RPS))
    fail(`--rps must be integers in 1..${MAX_RPS}`);
  const durationS = Number(values.duration);
  if (!(durationS > 0 && durationS <= MAX_DURATION_S)) fail(`--duration must be in (0, ${MAX_DURATION_S}] s`);
  const connections = Number(values.connections);
  if (!Number.isInteger(connections) || connections < 1 || connections > 1_000)
    fail('--connections must be 1..1000');
  const modes = values.modes.split(',').map((m) => m.trim());
  if (modes.length === 0 || modes.some((m) => m !== 'on' && m !== 'off'))
    fail('--modes must be on, off or on,off');
  if (values.driver !== 'open' && values.driver !== 'autocannon') fail('--driver must be open or autocannon');
  const apiEnv: Record<string, string> = {};
  for (const pair of values['api-env']) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) fail(`--api-env must be NAME=value, got "${pair}"`);
    apiEnv[match![1]!] = match![2]!;
  }
  const nice = values.nice === undefined ? undefined : Number(values.nice);
  if (nice !== undefined && !(Number.isInteger(nice) && nice >= -20 && nice <= 19))
    fail('--nice must be an integer in -20..19');
  for (const name of ['api-cpus', 'generator-cpus'] as const) {
    const list = values[name];
    if (list !== undefined && !/^\d+([-,]\d+)*$/.test(list))
      fail(`--${name} must be a CPU list like 0 or 0-1, got "${list}"`);
  }
  const warmupS = Number(values.warmup);
  if (!(warmupS >= 0 && warmupS <= 60)) fail('--warmup must be 0..60 s');
  return {
    rps,
    durationS,
    connections,
    modes: modes as Mode[],
    warmupS,
    json: values.json,
    modelsDir: path.resolve(values.models),
    driver: values.driver as Driver,
    apiEnv,
    cpuProfDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    nice,
    nodeFlags: values['node-flags'].split(/\s+/).filter((flag) => flag !== ''),
    apiCpus: values['api-cpus'],
    generatorCpus: values['generator-cpus'],
    apiLogDir: values['api-log'] ? path.resolve(values['api-log']) : undefined,
    baseTree: values['base-tree'] ? path.resolve(values['base-tree']) : undefined,
    apiOwnSession: values['api-own-session'],
  };
}

/** Pins every thread of `pid` to `cpus` (taskset -a), failing loudly: an unpinned run would mislead. */
function pinProcess(pid: number, cpus: string): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`taskset -a -p -c ${cpus} ${pid} failed: ${result.stderr || result.error}`);
}

/** An API process of its own, with its own key and Redis prefix. */
interface ApiProcess {
  child: ChildProcess;
  url: string;
  key: string;
  output: string[];
}

async function startApi(
  mode: Mode,
  treeDir: string,
  modelsDir: string,
  redisUrl: string,
  apiEnv: Record<string, string>,
  cpuProfDir: string | undefined,
  nodeFlags: readonly string[],
  ownSession: boolean,
): Promise<ApiProcess> {
  const port = await freePort();
  const key = randomBytes(24).toString('hex');
  const profile = cpuProfDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${cpuProfDir}`,
        `--cpu-prof-name=api-${treeDir === repoRoot ? '' : 'base-'}${mode}.cpuprofile`,
      ]
    : [];
  const child = spawn(
    process.execPath,
    [...nodeFlags, ...profile, '--import', 'tsx', path.join(treeDir, 'services/api/src/main.ts')],
    {
      cwd: treeDir,
      env: {
        ...process.env,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        API_KEYS: key,
        API_MAX_BATCH_SIZE: mode === 'on' ? '64' : '1',
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: uniqueName(`bench-api-${mode}`),
        MODEL_REGISTRY_DIR: modelsDir,
        LOG_LEVEL: 'warn',
        ...apiEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: ownSession,
    },
  );
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url, key, output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`API (${mode}) did not become ready:\n${output.join('').slice(-3000)}`);
}

async function stopApi(api: ApiProcess): Promise<void> {
  if (api.child.exitCode !== null) return;
  api.child.kill('SIGTERM');
  const timer = setTimeout(() => api.child.kill('SIGKILL'), 15_000);
  await once(api.child, 'exit');
  clearTimeout(timer);
}

interface Scraped {
  cpuS: number;
  batches: number;
  batched: number;
  errors: Record<string, number>;
  /** Cumulative count of 200s of /v1/score at or under each bucket bound (seconds). */
  latencyBuckets: Map<number, number>;
  eventLoopP99S: number;
  eventLoopMaxS: number;
  gcCount: number;
  gcSumS: number;
  gcOver10ms: number;
  gcByKind: Map<string, { count: number; sumS: number; upTo10ms: number }>;
}

/** The API's own counters: CPU seconds, micro-batches, latency buckets, event loop and GC. */
async function scrape(api: ApiProcess): Promise<Scraped> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const latencyBuckets = new Map<number, number>();
  for (const [, labels, count] of text.matchAll(
    /^fraud_api_request_duration_seconds_bucket\{([^}]*)\} ([0-9.e+-]+)$/gm,
  )) {
    if (!labels!.includes('route="/v1/score"') || !labels!.includes('status="200"')) continue;
    const le = /le="([^"]+)"/.exec(labels!)?.[1];
    if (le !== undefined) latencyBuckets.set(le === '+Inf' ? Infinity : Number(le), Number(count));
  }
  const sumOf = (pattern: RegExp) =>
    [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  const errors: Record<string, number> = {};
  for (const [, errorClass, count] of text.matchAll(
    /^fraud_api_errors_total\{class="([a-z_]+)"\} ([0-9.e+-]+)$/gm,
  )) {
    errors[errorClass!] = Number(count);
  }
  const gcByKind = new Map<string, { count: number; sumS: number; upTo10ms: number }>();
  const gcKind = (kind: string) => {
    let entry = gcByKind.get(kind);
    if (!entry) gcByKind.set(kind, (entry = { count: 0, sumS: 0, upTo10ms: 0 }));
    return entry;
  };
  for (const [, kind, n] of text.matchAll(
    /^nodejs_gc_duration_seconds_count\{kind="(\w+)"\} ([0-9.e+-]+)$/gm,
  ))
    gcKind(kind!).count = Number(n);
  for (const [, kind, n] of text.matchAll(/^nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} ([0-9.e+-]+)$/gm))
    gcKind(kind!).sumS = Number(n);
  for (const [, kind, n] of text.matchAll(
    /^nodejs_gc_duration_seconds_bucket\{le="0\.01",kind="(\w+)"\} ([0-9.e+-]+)$/gm,
  ))
    gcKind(kind!).upTo10ms = Number(n);
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    cpuS: value('process_cpu_seconds_total'),
    batches: value('fraud_api_batch_size_count'),
    batched: value('fraud_api_batch_size_sum'),
    errors,
    latencyBuckets,
    eventLoopP99S: value('nodejs_eventloop_lag_p99_seconds'),
    eventLoopMaxS: value('nodejs_eventloop_lag_max_seconds'),
    gcCount: sumOf(/^nodejs_gc_duration_seconds_count\{[^}]*\} ([0-9.e+-]+)$/gm),
    gcSumS: sumOf(/^nodejs_gc_duration_seconds_sum\{[^}]*\} ([0-9.e+-]+)$/gm),
    gcOver10ms:
      sumOf(/^nodejs_gc_duration_seconds_count\{[^}]*\} ([0-9.e+-]+)$/gm) -
      sumOf(/^nodejs_gc_duration_seconds_bucket\{le="0\.01"[^}]*\} ([0-9.e+-]+)$/gm),
    gcByKind,
  };
}

/** The upper bound (ms) of the bucket holding the p-th percentile of the requests between two scrapes. */
function bucketPercentileMs(before: Scraped, after: Scraped, p: number): number {
  const bounds = [...after.latencyBuckets.keys()].sort((a, b) => a - b);
  const total = (after.latencyBuckets.get(Infinity) ?? 0) - (before.latencyBuckets.get(Infinity) ?? 0);
  if (total <= 0) return NaN;
  for (const bound of bounds) {
    const count = after.latencyBuckets.get(bound)! - (before.latencyBuckets.get(bound) ?? 0);
    if (count >= (p / 100) * total) return bound * 1_000;
  }
  return Infinity;
}

let sequence = 0;
function nextTransaction(runId: string): Transaction {
  const n = sequence++;
  const random = Math.random;
  const type = TYPES[Math.floor(random() * TYPES.length)]!;
  const amountMinor = Math.max(1, Math.round(Math.exp(random() * 10) * 100));
  const balance = Math.round(random() * 5_000_000);
  return {
    transactionId: `${runId}-${n}`,
    eventTime: Date.now() - 1_000,
    type,
    amountMinor,
    currency: 'USD',
    originAccountId: `C${Math.floor(random() * ACCOUNTS)}`,
    destinationAccountId:
      type === 'PAYMENT' ? `M${Math.floor(random() * 500)}` : `C${Math.floor(random() * ACCOUNTS)}`,
    channel: 'API',
    deviceId: null,
    countryCode: null,
    merchantCategory: null,
    originBalanceBeforeMinor: balance,
    originBalanceAfterMinor: Math.max(0, balance - amountMinor),
    destinationBalanceBeforeMinor: null,
    destinationBalanceAfterMinor: null,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Driven {
  /** Sorted latencies of every answered request, ms. */
  latencies: Float64Array;
  byStatus: Record<string, number>;
  transport: number;
  timeouts: number;
  elapsedS: number;
  clientQueued: number;
  maxInFlight: number;
  slowWindowsPct: number;
}

/** % of 100-ms windows (by due time) holding a request slower than 25 ms: clustered stalls or not. */
function slowWindowsPct(samples: readonly (readonly [dueMs: number, latencyMs: number])[]): number {
  const windows = new Map<number, number>();
  for (const [dueMs, latencyMs] of samples) {
    const window = Math.floor(dueMs / 100);
    windows.set(window, Math.max(windows.get(window) ?? 0, latencyMs));
  }
  if (windows.size === 0) return NaN;
  return round((100 * [...windows.values()].filter((max) => max > 25).length) / windows.size, 1);
}

/**
 * A fixed arrival rate (open loop): request i is due at start + i / rps whatever the answers, sent
 * over a keep-alive pool of `connections`, and its latency counts from when it was DUE, so a slow
 * server shows up as latency instead of as fewer requests (no coordinated omission).
 */
async function driveOpen(
  api: ApiProcess,
  rps: number,
  durationS: number,
  connections: number,
): Promise<Driven> {
  const runId = uniqueName('tx');
  const total = Math.max(1, Math.round(rps * durationS));
  // Bodies are built before the clock starts: building and stringifying them on the fly cost the
  // generator CPU and GC pauses on the same cores, and its pauses count as API latency.
  const bodies = Array.from({ length: total }, () => JSON.stringify(nextTransaction(runId)));
  const pool = new Pool(api.url, { connections, pipelining: 1, headersTimeout: 5_000, bodyTimeout: 5_000 });
  const latencies: number[] = [];
  const samples: [number, number][] = [];
  const byStatus: Record<string, number> = {};
  let transport = 0;
  let timeouts = 0;
  let clientQueued = 0;
  let maxInFlight = 0;
  let abandoned = false;
  const pending = new Set<Promise<void>>();
  const headers = { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' };
  const started = performance.now();
  let sent = 0;
  const send = () => {
    const dueAt = started + (sent * 1_000) / rps;
    sent++;
    if (pending.size >= connections) clientQueued++;
    maxInFlight = Math.max(maxInFlight, pending.size + 1);
    const request = pool
      .request({ path: '/v1/score', method: 'POST', headers, body: bodies[sent - 1]! })
      .then(async (response) => {
        await response.body.dump();
        const latencyMs = performance.now() - dueAt;
        latencies.push(latencyMs);
        samples.push([dueAt - started, latencyMs]);
        byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1;
      })
      .catch((error: unknown) => {
        if (abandoned) return; // counted below as timeouts
        if ((error as { code?: string }).code?.includes('TIMEOUT')) timeouts++;
        else transport++;
      })
      .finally(() => pending.delete(request));
    pending.add(request);
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * rps) + 1);
      while (sent < due) send();
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  // Bounded: requests still unanswered DRAIN_TIMEOUT_MS after the last one was due are abandoned and
  // counted as timeouts, so an overloaded mode costs seconds, not minutes of draining a backlog.
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_TIMEOUT_MS))),
  ]);
  clearTimeout(drainTimer);
  const elapsedS = (performance.now() - started) / 1_000;
  if (pending.size > 0) {
    abandoned = true;
    timeouts += pending.size;
    await pool.destroy();
  } else {
    await pool.close();
  }
  return {
    latencies: Float64Array.from(latencies).sort(),
    byStatus,
    transport,
    timeouts,
    elapsedS,
    clientQueued,
    maxInFlight,
    slowWindowsPct: slowWindowsPct(samples),
  };
}

/**
 * autocannon's rate mode: each connection sends its per-second quota back to back as soon as the
 * second starts, then waits, so every second opens with a burst of `connections` concurrent
 * requests. Kept for comparison; the latency it reports is that of bursts, not of a steady rate.
 */
async function driveAutocannon(
  api: ApiProcess,
  rps: number,
  durationS: number,
  connections: number,
): Promise<Driven> {
  const runId = uniqueName('tx');
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  const started = performance.now();
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: api.url,
        connections: Math.min(connections, rps),
        overallRate: rps,
        duration: durationS,
        timeout: 5,
        requests: [
          {
            method: 'POST',
            path: '/v1/score',
            headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: JSON.stringify(nextTransaction(runId)) }),
          },
        ],
      },
      (error: unknown, result) =>
        error ? reject(error instanceof Error ? error : new Error('autocannon failed')) : resolve(result),
    );
  });
  const samples: [number, number][] = [];
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
    samples.push([performance.now() - started - responseTimeMs, responseTimeMs]);
    byStatus[statusCode] = (byStatus[statusCode] ?? 0) + 1;
  });
  const result = await done;
  const elapsedS = (performance.now() - started) / 1_000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    latencies: sorted,
    byStatus,
    transport: result.errors - result.timeouts,
    timeouts: result.timeouts,
    elapsedS,
    clientQueued: NaN,
    maxInFlight: NaN,
    slowWindowsPct: slowWindowsPct(samples),
  };
}

async function measure(
  api: ApiProcess,
  redisPid: number | undefined,
  { tree, mode }: Variant,
  rps: number,
  durationS: number,
  connections: number,
  driver: Driver,
): Promise<RunResult> {
  const loadAverage1mBefore = loadavg()[0]!;
  const before = await scrape(api);
  const generatorLoop = monitorEventLoopDelay({ resolution: 1 });
  const generatorGc: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) generatorGc.push(entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpuBefore = {
    api: processCpuSeconds(api.child.pid!),
    redis: redisPid === undefined ? undefined : processCpuSeconds(redisPid),
    generator: process.cpuUsage(),
    machine: machineCpuSeconds(),
    at: performance.now(),
    apiSched: sampleSched(api.child.pid!),
  };
  generatorLoop.enable();
  const run = await (driver === 'open' ? driveOpen : driveAutocannon)(api, rps, durationS, connections);
  generatorLoop.disable();
  gcObserver.disconnect();
  const wallS = (performance.now() - cpuBefore.at) / 1_000;
  const pctOfCore = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? undefined : round((100 * (to - from)) / wallS, 1);
  const generatorCpu = process.cpuUsage(cpuBefore.generator);
  const machine = machineCpuSeconds();
  const cpu = {
    api: pctOfCore(cpuBefore.api, processCpuSeconds(api.child.pid!)),
    redis: pctOfCore(cpuBefore.redis, redisPid === undefined ? undefined : processCpuSeconds(redisPid)),
    generator: round((generatorCpu.user + generatorCpu.system) / 1e4 / wallS, 1),
    machine: pctOfCore(cpuBefore.machine?.busyS, machine?.busyS),
  };
  const others =
    cpu.machine === undefined
      ? undefined
      : round(cpu.machine - (cpu.api ?? 0) - (cpu.redis ?? 0) - cpu.generator, 1);
  const apiSched = schedDelta(cpuBefore.apiSched, sampleSched(api.child.pid!));
  const after = await scrape(api);
  const ok = run.byStatus['200'] ?? 0;
  const requests = run.latencies.length;
  const non200 = requests - ok;
  const sum = run.latencies.reduce((a, b) => a + b, 0);
  const p99 = percentile(run.latencies, 99);
  const errorsTotal = non200 + run.transport + run.timeouts;
  return {
    tree,
    mode,
    driver,
    microBatching: mode === 'on',
    targetRps: rps,
    durationS,
    connections: Math.min(connections, rps),
    requests,
    achievedRps: round(ok / run.elapsedS, 1),
    latencyMs: {
      p50: round(percentile(run.latencies, 50), 3),
      p95: round(percentile(run.latencies, 95), 3),
      p99: round(p99, 3),
      max: round(run.latencies[run.latencies.length - 1] ?? NaN, 3),
      mean: round(sum / Math.max(1, requests), 3),
    },
    errors: {
      total: errorsTotal,
      byStatus: Object.fromEntries(Object.entries(run.byStatus).filter(([s]) => s !== '200')),
      byClass: Object.fromEntries(
        Object.entries(after.errors)
          .map(([errorClass, n]) => [errorClass, n - (before.errors[errorClass] ?? 0)] as const)
          .filter(([, n]) => n > 0),
      ),
      transport: run.transport,
      timeouts: run.timeouts,
    },
    apiCpuUsPerRequest: round(((after.cpuS - before.cpuS) * 1e6) / Math.max(1, requests), 1),
    meanBatchSize: round((after.batched - before.batched) / Math.max(1, after.batches - before.batches), 2),
    loadAverage1mBefore: round(loadAverage1mBefore),
    meetsP99_10ms: errorsTotal === 0 && p99 <= 10,
    meetsP99_25ms: errorsTotal === 0 && p99 <= 25,
    diagnostics: {
      serverLatencyMs: {
        p50: bucketPercentileMs(before, after, 50),
        p99: bucketPercentileMs(before, after, 99),
      },
      apiEventLoopDelayMs: {
        p99: round(after.eventLoopP99S * 1_000),
        max: round(after.eventLoopMaxS * 1_000),
      },
      apiGc: {
        count: after.gcCount - before.gcCount,
        totalMs: round((after.gcSumS - before.gcSumS) * 1_000, 1),
        over10ms: after.gcOver10ms - before.gcOver10ms,
      },
      apiGcByKind: Object.fromEntries(
        [...after.gcByKind].map(([kind, a]) => {
          const b = before.gcByKind.get(kind) ?? { count: 0, sumS: 0, upTo10ms: 0 };
          const count = a.count - b.count;
          return [
            kind,
            {
              count,
              totalMs: round((a.sumS - b.sumS) * 1_000, 1),
              over10ms: count - (a.upTo10ms - b.upTo10ms),
            },
          ];
        }),
      ),
      apiSched,
      generatorEventLoopDelayMs: {
        p99: round(generatorLoop.percentile(99) / 1e6),
        max: round(generatorLoop.max / 1e6),
      },
      generatorGc: {
        count: generatorGc.length,
        totalMs: round(
          generatorGc.reduce((a, b) => a + b, 0),
          1,
        ),
        maxMs: round(Math.max(0, ...generatorGc), 1),
      },
      clientQueued: run.clientQueued,
      maxInFlight: run.maxInFlight,
      slowWindowsPct: run.slowWindowsPct,
      cpuPctOfOneCore: { ...cpu, others },
    },
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const settings = stackSettings();
  const redisPid = findRedisPid(Number(new URL(settings.redisUrl).port || 6379));
  if (options.nice !== undefined) setPriority(options.nice);
  const startedAt = new Date().toISOString();
  const variants: Variant[] = [
    ...options.modes.map((mode) => ({ tree: 'branch' as const, mode })),
    ...(options.baseTree ? options.modes.map((mode) => ({ tree: 'base' as const, mode })) : []),
  ];
  const treeDir = (tree: Tree) => (tree === 'base' ? options.baseTree! : repoRoot);
  const apis = new Map<string, ApiProcess>();
  const runs: RunResult[] = [];
  const stopAll = () => Promise.all([...apis.values()].map(stopApi));
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    for (const variant of variants)
      apis.set(
        variantName(variant),
        await startApi(
          variant.mode,
          treeDir(variant.tree),
          options.modelsDir,
          settings.redisUrl,
          options.apiEnv,
          options.cpuProfDir,
          options.nodeFlags,
          options.apiOwnSession,
        ),
      );
    if (options.nice !== undefined)
      for (const api of apis.values()) setPriority(api.child.pid!, options.nice);
    if (options.apiCpus !== undefined)
      for (const api of apis.values()) pinProcess(api.child.pid!, options.apiCpus);
    if (options.generatorCpus !== undefined) pinProcess(process.pid, options.generatorCpus);
    for (const variant of variants) {
      // Warm-up (JIT, onnxruntime allocations, connection pools); not reported.
      if (options.warmupS > 0)
        await driveOpen(
          apis.get(variantName(variant))!,
          Math.min(options.rps[0]!, 1_000),
          options.warmupS,
          options.connections,
        );
    }
    for (const rps of options.rps) {
      // Modes (and trees) alternate at each rate, so every variant sees the same machine.
      for (const variant of variants) {
        const { mode } = variant;
        const result = await measure(
          apis.get(variantName(variant))!,
          redisPid,
          variant,
          rps,
          options.durationS,
          options.connections,
          options.driver,
        );
        runs.push(result);
        const l = result.latencyMs;
        console.log(
          `${variant.tree === 'base' ? 'base   ' : ''}batching ${mode.padEnd(3)} target ${String(rps).padStart(6)} rps: achieved ${result.achievedRps} rps, ` +
            `p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms, errors ${result.errors.total}, ` +
            `API CPU ${result.apiCpuUsPerRequest} us/req, batch ${result.meanBatchSize}, load ${result.loadAverage1mBefore}`,
        );
        const d = result.diagnostics;
        console.log(
          `    server p50<=${d.serverLatencyMs.p50} p99<=${d.serverLatencyMs.p99} ms; API loop p99 ${d.apiEventLoopDelayMs.p99} max ${d.apiEventLoopDelayMs.max} ms, ` +
            `GC ${d.apiGc.count} (${d.apiGc.totalMs} ms, ${d.apiGc.over10ms} >10ms); generator loop p99 ${d.generatorEventLoopDelayMs.p99} max ${d.generatorEventLoopDelayMs.max} ms, ` +
            `GC max ${d.generatorGc.maxMs} ms; client-queued ${d.clientQueued}, in flight max ${d.maxInFlight}; slow 100ms windows ${d.slowWindowsPct}%; ` +
            `CPU % of a core: ${JSON.stringify(d.cpuPctOfOneCore)}`,
        );
        console.log(
          `    API GC by kind ${JSON.stringify(d.apiGcByKind)}; API sched ${JSON.stringify(d.apiSched)}`,
        );
      }
    }
  } finally {
    await stopAll();
    if (options.apiLogDir) {
      mkdirSync(options.apiLogDir, { recursive: true });
      for (const [name, api] of apis)
        writeFileSync(path.join(options.apiLogDir, `api-${name}.log`), api.output.join(''));
    }
  }
  const highest = ({ tree, mode }: Variant, limitMs: 10 | 25) =>
    Math.max(
      0,
      ...runs
        .filter(
          (r) => r.tree === tree && r.mode === mode && (limitMs === 10 ? r.meetsP99_10ms : r.meetsP99_25ms),
        )
        .map((r) => r.achievedRps),
    );
  const report = {
    benchmark: 'api',
    command: `npm run bench:api -- ${process.argv.slice(2).join(' ')}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    nice: options.nice ?? null,
    apiEnv: options.apiEnv,
    nodeFlags: options.nodeFlags,
    apiOwnSession: options.apiOwnSession,
    apiCpus: options.apiCpus ?? null,
    generatorCpus: options.generatorCpus ?? null,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage: loadavg().map((x) => round(x)),
    },
    notes: [
      'driver open (default): a fixed arrival rate over an undici keep-alive pool; latency counts from when each request was due, so queueing at the client counts too (no coordinated omission).',
      'driver autocannon: each connection sends its per-second quota back to back at the start of every second (bursts of `connections` concurrent requests); latency from request write to response end.',
      'The load generator runs on the same machine as the API and Redis.',
      'Modes alternate at each rate so both see the same machine load; compare them as ratios within one run.',
    ],
    runs,
    baseTree: options.baseTree ?? null,
    summary: Object.fromEntries(
      variants.map((variant) => [
        variantName(variant),
        {
          highestRpsAtP99Under10ms: highest(variant, 10),
          highestRpsAtP99Under25ms: highest(variant, 25),
        },
      ]),
    ),
  };
  if (options.json) {
    mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`bench:api: wrote ${options.json}`);
  } else {
    console.log(JSON.stringify(report, null, 2));
  }
}

await main();
