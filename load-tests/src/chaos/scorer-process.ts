/**
 * A scorer worker as a child process (`node --import tsx services/scorer/src/main.ts`) whose PID
 * is the worker itself, so the chaos suite can SIGKILL, SIGSTOP and SIGCONT exactly that process.
 * `tree` runs another checkout's scorer (the drain comparison runs the previous commit too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Endpoints } from './run-topics.ts';

export interface ScorerProcessOptions {
  endpoints: Endpoints;
  instanceId: string;
  keyPrefix: string;
  topics: { transactions: string; decisions: string; alerts: string; dlq: string };
  groupId: string;
  /** Repository root whose scorer runs. */
  tree: string;
  env?: Record<string, string>;
  /** Appends the worker's whole output here (JSON lines), for diagnosis after a failed run. */
  logFile?: string;
}

const TAIL_LINES = 300;

export class ScorerProcess {
  readonly exited: Promise<number | string>;
  private readonly tail: string[] = [];
  private partial = '';

  private constructor(
    readonly instanceId: string,
    readonly child: ChildProcess,
  ) {
    const onData = (chunk: Buffer) => {
      this.partial += chunk.toString();
      let nl: number;
      while ((nl = this.partial.indexOf('\n')) >= 0) {
        this.tail.push(this.partial.slice(0, nl));
        this.partial = this.partial.slice(nl + 1);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
  }

  static spawn(o: ScorerProcessOptions): ScorerProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: o.endpoints.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: o.endpoints.registryUrl,
      REDIS_URL: o.endpoints.redisUrl,
      REDIS_KEY_PREFIX: o.keyPrefix,
      TOPIC_TRANSACTIONS: o.topics.transactions,
      TOPIC_DECISIONS: o.topics.decisions,
      TOPIC_ALERTS: o.topics.alerts,
      TOPIC_DLQ: o.topics.dlq,
      SCORER_GROUP_ID: o.groupId,
      SCORER_INSTANCE_ID: o.instanceId,
      SCORER_TRANSACTIONAL_ID_PREFIX: o.keyPrefix,
      SCORER_HTTP_HOST: '127.0.0.1',
      SCORER_HTTP_PORT: '0',
      MODEL_REGISTRY_DIR: path.join(o.tree, 'models'),
      LOG_LEVEL: 'info',
      ...o.env,
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(o.tree, 'services/scorer/src/main.ts')],
      {
        env,
        cwd: o.tree,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    if (o.logFile) {
      const file = createWriteStream(o.logFile, { flags: 'a' });
      child.stdout.pipe(file, { end: false });
      child.stderr.pipe(file, { end: false });
      child.on('exit', () => file.end());
    }
    return new ScorerProcess(o.instanceId, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  output(): string {
    return this.tail.join('\n');
  }

  count(message: string): number {
    return this.tail.filter((line) => line.includes(`"msg":"${message}"`)).length;
  }

  /** Waits until the worker logged `message` (a pino msg), exits, or `timeoutMs` passes. */
  async waitForLog(message: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.tail.some((line) => line.includes(`"msg":"${message}"`))) {
      if (!this.running)
        throw new Error(
          `scorer ${this.instanceId} exited before "${message}":\n${this.output().slice(-3000)}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `scorer ${this.instanceId} did not log "${message}" in ${timeoutMs} ms:\n${this.output().slice(-3000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; thaws a frozen worker first. */
  async stop(graceMs = 15_000): Promise<number | string> {
    if (!this.running) return this.exited;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
