/**
 * Drain mode's second reference: Apache Kafka's own `org.apache.kafka.tools.TransactionalMessageCopier`
 * (kafka-tools, the same version as the local broker, fetched once from Maven Central by
 * `infra/local/stack.sh kafka-tools`). It is the JVM consume-transform-produce loop Kafka's system
 * tests use for exactly-once: read_committed consumer, one transactional producer, a transaction
 * every `--transaction-size` records that carries the consumed offsets (`--use-group-metadata`:
 * the group-aware sendOffsetsToTransaction). `--group-mode` subscribes to the whole topic, so one
 * JVM takes every partition, as one scorer worker does.
 *
 * It prints one JSON status line per transaction ({"stage":"ProcessLoop","totalProcessed":…}) and
 * {"stage":"ShutdownComplete"} once it has copied up to the end offsets it saw at start.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { processCpuUs } from './proc-stats.ts';
import { repoRoot } from './workers.ts';

/** The kafka-tools jars' directory (downloaded on first use; later calls are instant). */
export async function kafkaToolsLibDir(): Promise<string> {
  const script = path.join(repoRoot, 'infra/local/stack.sh');
  try {
    const { stdout } = await promisify(execFile)(script, ['kafka-tools'], { timeout: 600_000 });
    return stdout.trim().split('\n').at(-1)!;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `kafka-tools could not be fetched (${script} kafka-tools): ${stderr.trim() || String(error)}`,
      {
        cause: error,
      },
    );
  }
}

export interface JavaCopierOptions {
  libDir: string;
  brokers: readonly string[];
  inputTopic: string;
  outputTopic: string;
  groupId: string;
  transactionalId: string;
  /** Records per transaction; the tool's default is 200. */
  transactionSize: number;
  /** JVM heap cap, so the reference does not take the broker's memory. @default 256 */
  heapMb?: number;
}

/** One running copier JVM. */
export class JavaCopier {
  readonly pid: number;
  /** Wall clock and the JVM's CPU when its first transaction committed (start-up left out). */
  firstCommit: { atMs: number; cpuUs: number } | undefined;
  /** The JVM's CPU when last sampled (it exits when done, so the harness samples while it runs). */
  lastCpuUs: number | undefined;
  /** Set once it exited: 0 after ShutdownComplete. */
  exitCode: number | null | undefined;
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];

  constructor(options: JavaCopierOptions) {
    this.child = spawn(
      'java',
      [
        `-Xmx${options.heapMb ?? 256}m`,
        '-cp',
        `${options.libDir}/*`,
        'org.apache.kafka.tools.TransactionalMessageCopier',
        '--broker-list',
        options.brokers.join(','),
        '--input-topic',
        options.inputTopic,
        // Ignored in group mode, but the tool requires it.
        '--input-partition',
        '0',
        '--output-topic',
        options.outputTopic,
        '--consumer-group',
        options.groupId,
        '--transactional-id',
        options.transactionalId,
        '--transaction-size',
        String(options.transactionSize),
        '--group-mode',
        '--use-group-metadata',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Without a listener, a spawn failure (no java on PATH) would be an uncaught exception.
    this.child.once('error', (error) => {
      this.stderrTail.push(String(error));
      this.exitCode ??= null;
    });
    if (this.child.pid === undefined) throw new Error('java could not be started (is a JDK installed?)');
    this.pid = this.child.pid;
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (this.firstCommit === undefined && line.includes('"ProcessLoop"')) {
        this.firstCommit = { atMs: Date.now(), cpuUs: processCpuUs(this.pid) ?? NaN };
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      // log4j's "no appenders" warnings are noise; keep the rest for the error message.
      if (line.startsWith('log4j:')) return;
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    this.child.once('exit', (code) => (this.exitCode = code));
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Samples the JVM's CPU while it still runs. */
  sampleCpu(): void {
    const us = processCpuUs(this.pid);
    if (us !== undefined) this.lastCpuUs = us;
  }

  /** What the JVM said on stderr last (for a failure message). */
  errorOutput(): string {
    return this.stderrTail.join('\n');
  }

  /** Stops it by PID if it still runs; resolves when it exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
