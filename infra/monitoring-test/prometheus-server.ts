/**
 * A real Prometheus server for tests: the installed binary (Debian's package, or PROMETHEUS_BIN),
 * on 127.0.0.1 with a free port, its own temporary data directory and a generated config that
 * scrapes the given targets and loads the repository's rule files. Stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PrometheusOptions {
  /** host:port targets of the scrape job. */
  targets: string[];
  /** The job name; the rules select `job="fraud-scorer"`, so keep the default. @default 'fraud-scorer' */
  jobName?: string;
  /** More scrape jobs beside it (e.g. the API's `fraud-api`), same interval. */
  extraJobs?: { jobName: string; targets: string[] }[];
  /** Rule file globs (absolute). */
  ruleFiles: string[];
  /** @default 1 */
  scrapeIntervalSeconds?: number;
  /** @default 60_000 */
  startTimeoutMs?: number;
}

export interface PrometheusServer {
  readonly url: string;
  readonly pid: number;
  readonly output: string[];
  /** GET /api/v1/<path> and return `data`, or throw with Prometheus's error text. */
  api<T>(apiPath: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

export class PrometheusApiError extends Error {
  constructor(
    readonly apiPath: string,
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(`${apiPath}: HTTP ${status} ${errorType}: ${message}`);
    this.name = 'PrometheusApiError';
  }
}

export function prometheusBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.PROMETHEUS_BIN, '/usr/bin/prometheus', '/usr/local/bin/prometheus'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = prometheusBinary();
  if (!binary) throw new Error('prometheus binary not found: run scripts/bootstrap.sh or set PROMETHEUS_BIN');
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prometheus-test-'));
  // JSON is YAML: no YAML library needed to write the config.
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: options.ruleFiles,
    scrape_configs: [
      {
        job_name: options.jobName ?? 'fraud-scorer',
        static_configs: [{ targets: options.targets }],
      },
      ...(options.extraJobs ?? []).map((job) => ({
        job_name: job.jobName,
        static_configs: [{ targets: job.targets }],
      })),
    ],
  };
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, 10_000))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const api = async <T>(apiPath: string, params: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${url}/api/v1/${apiPath}?${new URLSearchParams(params).toString()}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status: string; data: T; errorType?: string; error?: string };
    if (!response.ok || body.status !== 'success') {
      throw new PrometheusApiError(apiPath, response.status, body.errorType ?? '?', body.error ?? '?');
    }
    return body.data;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
      try {
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('prometheus not ready in time');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; output:\n${output.join('').slice(-4000)}`, {
      cause: error,
    });
  }
  return { url, pid: child.pid!, output, api, stop };
}

export interface InstantVector {
  resultType: string;
  result: { metric: Record<string, string>; value?: [number, string] }[];
}

/** Runs an instant query; throws PrometheusApiError if Prometheus rejects it. */
export function instantQuery(prometheus: PrometheusServer, query: string): Promise<InstantVector> {
  return prometheus.api<InstantVector>('query', { query });
}
