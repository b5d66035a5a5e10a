import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { REPO_ROOT } from '../retrain.ts';

/** Children this process started and that still run: killed by PID if the run is aborted. */
const live = new Set<ChildProcess>();

/** Kills (SIGKILL, by PID) every child the loop started that still runs: for a hard deadline. */
export function killStartedChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Runs a TypeScript CLI of this repository (through tsx) to completion; its output goes to `logFile`. */
export function runTsCli(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms (log: ${logFile})`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      log.end();
      if (code === 0) resolve();
      else
        reject(
          new Error(`${script} ${args.join(' ')} failed (${signal ?? `exit ${code}`}); log: ${logFile}`),
        );
    });
  });
}

/** A long-running child (the scorer): started now, stopped by PID with SIGTERM. */
export class ServiceProcess {
  private readonly child: ChildProcess;
  private exited: Promise<number | null>;

  constructor(script: string, env: NodeJS.ProcessEnv, logFile: string) {
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = track(
      spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (graceful drain), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
