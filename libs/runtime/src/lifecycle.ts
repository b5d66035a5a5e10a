import { IllegalStateError, ShutdownDeadlineExceeded, StartInterruptedError } from './errors.ts';

/**
 * INITIALIZED -> STARTING -> RUNNING -> STOPPING -> STOPPED on a clean stop; any state -> FAILED
 * on a fatal error (a failed start included) or a shutdown past its deadline. A stop requested
 * while STARTING goes to STOPPING without ever RUNNING.
 */
export type LifecycleState = 'INITIALIZED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

export interface LifecycleHooks {
  /**
   * Connects, joins, listens; resolves once the service serves. `signal` aborts when a stop is
   * requested or a fatal error is reported during start-up, so waits (preflight polls, backoff)
   * end early instead of running to their own timeouts.
   */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Releases everything `start` built, in order. Called exactly once on every path: clean stop,
   * fatal error, failed or interrupted start. Should log step failures rather than throw; a throw
   * is a failed shutdown (run() rejects with it).
   */
  close(): Promise<void>;
}

export interface LifecycleOptions {
  /** Names the service in errors and log lines (`scorer`, `api`). */
  name: string;
  /**
   * THE shutdown deadline: from the first stop request or fatal error to everything closed,
   * whichever path began it. Past it run() rejects with ShutdownDeadlineExceeded.
   */
  shutdownDeadlineMs: number;
}

/**
 * One service run: start, serve until stopped or failed, close, under one shutdown deadline.
 * Components report into it (`fail(error)` from a consumer crash, `signal` for their waits) and
 * derive readiness from `state`; the entry point calls `run(hooks)` once (see runMain).
 */
export class ServiceLifecycle {
  private current: LifecycleState = 'INITIALIZED';
  private readonly abort = new AbortController();
  private readonly shutdownRequested = Promise.withResolvers<void>();
  private readonly deadline = Promise.withResolvers<never>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private stopReason: string | undefined;
  private fatal: { error: unknown } | undefined;
  private ran = false;

  constructor(readonly options: LifecycleOptions) {
    if (!(options.shutdownDeadlineMs > 0))
      throw new RangeError(`shutdownDeadlineMs must be > 0 (got ${options.shutdownDeadlineMs})`);
    this.deadline.promise.catch(() => undefined); // observed through run()
  }

  get state(): LifecycleState {
    return this.current;
  }

  /** Aborted once shutting down begins (stop or fatal error); abort waits and retries with it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** True once the service reached RUNNING (it served), even if it has stopped since. */
  get wasRunning(): boolean {
    return this.ran;
  }

  /** Requests a clean stop (a signal). Idempotent; ignored after a fatal error. */
  stop(reason = 'stop requested'): void {
    if (this.stopReason !== undefined || this.fatal !== undefined) return;
    this.stopReason = reason;
    this.beginShutdown(reason);
  }

  /** Reports a fatal error: shuts the service down, and run() rejects with this error. First one wins. */
  fail(error: unknown): void {
    if (this.fatal !== undefined || this.current === 'STOPPED' || this.current === 'FAILED') return;
    this.fatal = { error };
    this.beginShutdown(error);
  }

  /**
   * Runs the service once: resolves after a clean stop; rejects with the fatal error (after
   * closing), with StartInterruptedError when stopped before it served, or with
   * ShutdownDeadlineExceeded when closing outlasts the deadline.
   */
  async run(hooks: LifecycleHooks): Promise<void> {
    if (this.current !== 'INITIALIZED')
      throw new IllegalStateError(`${this.options.name} run()`, this.current);
    this.current = 'STARTING';
    if (this.abort.signal.aborted) this.armDeadline(this.abort.signal.reason); // stopped before run()
    try {
      await Promise.race([this.serve(hooks), this.deadline.promise]);
      this.current = 'STOPPED';
    } catch (error) {
      this.current = error instanceof StartInterruptedError ? 'STOPPED' : 'FAILED';
      throw error;
    } finally {
      clearTimeout(this.deadlineTimer);
    }
  }

  private async serve(hooks: LifecycleHooks): Promise<void> {
    let interruptedBy: unknown;
    try {
      await hooks.start(this.abort.signal);
    } catch (error) {
      // A start that fails because it was told to stop is an interruption, not a fault.
      if (this.abort.signal.aborted) interruptedBy = error;
      else this.fail(error);
    }
    if (!this.abort.signal.aborted) {
      this.current = 'RUNNING';
      this.ran = true;
      await this.shutdownRequested.promise;
    }
    this.current = 'STOPPING';
    await hooks.close();
    if (this.fatal !== undefined) throw this.fatal.error;
    if (!this.ran)
      throw new StartInterruptedError(this.options.name, this.stopReason ?? 'stop requested', {
        cause: interruptedBy,
      });
  }

  private beginShutdown(reason: unknown): void {
    if (this.current === 'STOPPED' || this.current === 'FAILED') return;
    if (this.current !== 'INITIALIZED') this.armDeadline(reason);
    this.abort.abort(reason);
    this.shutdownRequested.resolve();
  }

  /** Starts the one shutdown clock; a second stop or fault does not restart it. */
  private armDeadline(reason: unknown): void {
    if (this.deadlineTimer !== undefined) return;
    const { name, shutdownDeadlineMs } = this.options;
    this.deadlineTimer = setTimeout(
      () => this.deadline.reject(new ShutdownDeadlineExceeded(name, shutdownDeadlineMs, { cause: reason })),
      shutdownDeadlineMs,
    );
  }
}
