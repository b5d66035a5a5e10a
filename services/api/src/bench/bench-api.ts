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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import type { Transaction, TransactionType } from '@fraud/contracts';
import { freePort, stackSettings, uniqueName } from '@fraud/test-support';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MAX_RPS = 100_000;
const MAX_DURATION_S = 600;
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
/** open: fixed arrival rate (undici); autocannon: closed-loop connections with a per-second quota. */
type Driver = 'open' | 'autocannon';

interface RunResult {
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
  };
}

/** An API process of its own, with its own key and Redis prefix. */
interface ApiProcess {
  child: ChildProcess;
  url: string;
  key: string;
  output: string[];
}

async function startApi(mode: Mode, modelsDir: string, redisUrl: string): Promise<ApiProcess> {
  const port = await freePort();
  const key = randomBytes(24).toString('hex');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'services/api/src/main.ts')],
    {
      cwd: repoRoot,
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
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

/** The API's own counters: CPU seconds, and micro-batches (count, requests in them). */
async function scrape(
  api: ApiProcess,
): Promise<{ cpuS: number; batches: number; batched: number; errors: Record<string, number> }> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const errors: Record<string, number> = {};
  for (const [, errorClass, count] of text.matchAll(
    /^fraud_api_errors_total\{class="([a-z_]+)"\} ([0-9.e+-]+)$/gm,
  )) {
    errors[errorClass!] = Number(count);
  }
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    cpuS: value('process_cpu_seconds_total'),
    batches: value('fraud_api_batch_size_count'),
    batched: value('fraud_api_batch_size_sum'),
    errors,
  };
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
  const pool = new Pool(api.url, { connections, pipelining: 1, headersTimeout: 5_000, bodyTimeout: 5_000 });
  const total = Math.max(1, Math.round(rps * durationS));
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let transport = 0;
  let timeouts = 0;
  const pending = new Set<Promise<void>>();
  const headers = { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' };
  const started = performance.now();
  let sent = 0;
  const send = () => {
    const dueAt = started + (sent * 1_000) / rps;
    sent++;
    const request = pool
      .request({ path: '/v1/score', method: 'POST', headers, body: JSON.stringify(nextTransaction(runId)) })
      .then(async (response) => {
        await response.body.dump();
        latencies.push(performance.now() - dueAt);
        byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1;
      })
      .catch((error: unknown) => {
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
  await Promise.all(pending);
  const elapsedS = (performance.now() - started) / 1_000;
  await pool.close();
  return { latencies: Float64Array.from(latencies).sort(), byStatus, transport, timeouts, elapsedS };
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
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
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
  };
}

async function measure(
  api: ApiProcess,
  mode: Mode,
  rps: number,
  durationS: number,
  connections: number,
  driver: Driver,
): Promise<RunResult> {
  const loadAverage1mBefore = loadavg()[0]!;
  const before = await scrape(api);
  const run = await (driver === 'open' ? driveOpen : driveAutocannon)(api, rps, durationS, connections);
  const after = await scrape(api);
  const ok = run.byStatus['200'] ?? 0;
  const requests = run.latencies.length;
  const non200 = requests - ok;
  const sum = run.latencies.reduce((a, b) => a + b, 0);
  const p99 = percentile(run.latencies, 99);
  const errorsTotal = non200 + run.transport + run.timeouts;
  return {
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
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const settings = stackSettings();
  const startedAt = new Date().toISOString();
  const apis = new Map<Mode, ApiProcess>();
  const runs: RunResult[] = [];
  const stopAll = () => Promise.all([...apis.values()].map(stopApi));
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    for (const mode of options.modes)
      apis.set(mode, await startApi(mode, options.modelsDir, settings.redisUrl));
    for (const mode of options.modes) {
      // Warm-up (JIT, onnxruntime allocations, connection pools); not reported.
      if (options.warmupS > 0)
        await driveOpen(
          apis.get(mode)!,
          Math.min(options.rps[0]!, 1_000),
          options.warmupS,
          options.connections,
        );
    }
    for (const rps of options.rps) {
      for (const mode of options.modes) {
        const result = await measure(
          apis.get(mode)!,
          mode,
          rps,
          options.durationS,
          options.connections,
          options.driver,
        );
        runs.push(result);
        const l = result.latencyMs;
        console.log(
          `batching ${mode.padEnd(3)} target ${String(rps).padStart(6)} rps: achieved ${result.achievedRps} rps, ` +
            `p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms, errors ${result.errors.total}, ` +
            `API CPU ${result.apiCpuUsPerRequest} us/req, batch ${result.meanBatchSize}, load ${result.loadAverage1mBefore}`,
        );
      }
    }
  } finally {
    await stopAll();
  }
  const highest = (mode: Mode, limitMs: 10 | 25) =>
    Math.max(
      0,
      ...runs
        .filter((r) => r.mode === mode && (limitMs === 10 ? r.meetsP99_10ms : r.meetsP99_25ms))
        .map((r) => r.achievedRps),
    );
  const report = {
    benchmark: 'api',
    command: `npm run bench:api -- ${process.argv.slice(2).join(' ')}`,
    startedAt,
    finishedAt: new Date().toISOString(),
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
    summary: Object.fromEntries(
      options.modes.map((mode) => [
        mode,
        { highestRpsAtP99Under10ms: highest(mode, 10), highestRpsAtP99Under25ms: highest(mode, 25) },
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
