/**
 * Worker child processes: the real scorer (`services/scorer/src/main.ts`) or the baseline
 * (`load-tests/src/baseline-worker.ts`), each a `node --import tsx` process whose PID is the
 * worker itself, so /proc gives its CPU and memory. Stopped by PID: SIGTERM, SIGKILL after a grace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type WorkerKind = 'scorer' | 'baseline' | 'copier';

const SCRIPTS: Record<WorkerKind, string> = {
  scorer: path.join(repoRoot, 'services/scorer/src/main.ts'),
  baseline: path.join(repoRoot, 'load-tests/src/baseline-worker.ts'),
  // Drain mode's reference: a transactional copy loop with no scoring work.
  copier: path.join(repoRoot, 'load-tests/src/copy-worker.ts'),
};

/** Everything a worker needs to find the run's own topics, group and Redis keys. */
export interface WorkerSettings {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  redisUrl: string;
  keyPrefix: string;
  topics: { transactions: string; decisions: string; alerts: string; dlq: string };
  groupId: string;
  transactionalIdPrefix: string;
  maxBatchSize?: number | undefined;
  partitionsConcurrently?: number | undefined;
  /** The copier's output topic (drain mode's reference). */
  copyOutputTopic?: string | undefined;
  /** More worker environment (e.g. SCORER_COMMIT_INTERVAL_MS), applied last. */
  extraEnv?: Record<string, string> | undefined;
}

const OUTPUT_TAIL = 200;

export class WorkerProcess {
  private readonly tail: string[] = [];
  readonly exited: Promise<number | string>;
  private buffered = '';
  private waiters: { message: string; resolve: (line: string) => void }[] = [];

  private constructor(
    readonly kind: WorkerKind,
    readonly instanceId: string,
    readonly child: ChildProcess,
  ) {
    const onData = (chunk: Buffer) => {
      this.buffered += chunk.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.tail.push(line);
        if (this.tail.length > OUTPUT_TAIL) this.tail.shift();
        this.waiters = this.waiters.filter((w) => {
          if (!line.includes(`"msg":"${w.message}"`)) return true;
          w.resolve(line);
          return false;
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
  }

  static spawn(kind: WorkerKind, instanceId: string, settings: WorkerSettings): WorkerProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
      REDIS_URL: settings.redisUrl,
      REDIS_KEY_PREFIX: settings.keyPrefix,
      TOPIC_TRANSACTIONS: settings.topics.transactions,
      TOPIC_DECISIONS: settings.topics.decisions,
      TOPIC_ALERTS: settings.topics.alerts,
      TOPIC_DLQ: settings.topics.dlq,
      SCORER_GROUP_ID: settings.groupId,
      SCORER_INSTANCE_ID: instanceId,
      SCORER_TRANSACTIONAL_ID_PREFIX: settings.transactionalIdPrefix,
      SCORER_HTTP_HOST: '127.0.0.1',
      SCORER_HTTP_PORT: '0',
      SCORER_SHUTDOWN_GRACE_MS: '10000',
      MODEL_REGISTRY_DIR: path.join(repoRoot, 'models'),
      LOG_LEVEL: 'info',
    };
    if (settings.maxBatchSize !== undefined) env.SCORER_MAX_BATCH_SIZE = String(settings.maxBatchSize);
    if (settings.copyOutputTopic !== undefined) env.COPY_OUTPUT_TOPIC = settings.copyOutputTopic;
    if (settings.partitionsConcurrently !== undefined)
      env.SCORER_PARTITIONS_CONCURRENTLY = String(settings.partitionsConcurrently);
    Object.assign(env, settings.extraEnv);
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPTS[kind]], {
      env,
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(kind, instanceId, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail.join('\n');
  }

  /** Resolves with the first log line whose msg is `message`; rejects on exit or timeout. */
  waitForLog(message: string, timeoutMs: number): Promise<string> {
    const existing = this.tail.find((l) => l.includes(`"msg":"${message}"`));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `${this.kind} ${this.instanceId} never logged "${message}" in ${timeoutMs} ms:\n${this.output().slice(-3000)}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        message,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${this.kind} ${this.instanceId} exited (${code}) before "${message}":\n${this.output().slice(-3000)}`,
          ),
        );
      });
    });
  }

  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`. Resolves when it is gone. */
  async stop(graceMs = 15_000): Promise<number | string> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** The ops port a scorer logged in 'scorer running' ({"http":"127.0.0.1:PORT"}). */
export function opsPortOf(line: string): number | undefined {
  const match = /"http":"[^"]*:(\d+)"/.exec(line);
  return match ? Number(match[1]) : undefined;
}
