import { ShutdownDeadlineExceeded, StartInterruptedError } from './errors.ts';
import type { LifecycleHooks, ServiceLifecycle } from './lifecycle.ts';

/** The subset of a pino logger the entry point writes to. */
export interface MainLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  fatal(fields: object, message: string): void;
}

/** What runMain needs of `process` (a fake in tests). */
export interface MainProcess {
  on(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): never | void;
}

/** Signals an entry point stops on, with the numbers that make up the exit code of an interrupted start. */
const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * The exit code of a run, the same for every service:
 * - 0: stopped cleanly after a signal;
 * - 128 + the signal number (130 SIGINT, 143 SIGTERM): a signal arrived during start-up, so the
 *   service never served (the shell's "terminated by signal" convention, not a success);
 * - 1: anything else (a failed start, a fatal error while running, a shutdown past its deadline,
 *   a second signal).
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof StartInterruptedError) {
    const signal = STOP_SIGNALS[error.reason as keyof typeof STOP_SIGNALS];
    return signal === undefined ? 1 : 128 + signal;
  }
  return 1;
}

export interface RunMainOptions {
  logger: MainLogger;
  /** @default process */
  process?: MainProcess;
}

/**
 * An entry point's whole life: SIGTERM / SIGINT request a clean stop (a second one exits 1 at
 * once), `lifecycle.run(hooks)` runs the service, and the process exits with exitCodeFor the
 * outcome. Log lines: `<name> could not start`, `<name> failed`, `<name> stopped`.
 */
export async function runMain(
  lifecycle: ServiceLifecycle,
  hooks: LifecycleHooks,
  options: RunMainOptions,
): Promise<number> {
  const { logger } = options;
  const proc = options.process ?? process;
  const { name, shutdownDeadlineMs } = lifecycle.options;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      proc.exit(1);
      return;
    }
    logger.info({ signal, state: lifecycle.state, deadlineMs: shutdownDeadlineMs }, 'shutting down');
    lifecycle.stop(signal);
  };
  for (const signal of Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]) proc.on(signal, onSignal);
  let code = 0;
  try {
    await lifecycle.run(hooks);
    logger.info({}, `${name} stopped`);
  } catch (error) {
    code = exitCodeFor(error);
    if (error instanceof StartInterruptedError)
      logger.warn({ reason: error.reason, exitCode: code }, `${name} stopped before it finished starting`);
    else if (error instanceof ShutdownDeadlineExceeded)
      logger.fatal({ err: error, deadlineMs: shutdownDeadlineMs }, 'shutdown deadline exceeded: exiting');
    else logger.fatal({ err: error }, lifecycle.wasRunning ? `${name} failed` : `${name} could not start`);
  } finally {
    for (const signal of Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[])
      proc.off(signal, onSignal);
  }
  proc.exit(code);
  return code;
}
