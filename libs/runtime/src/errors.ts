/** A lifecycle method was called in a state that does not allow it (run() twice, say). */
export class IllegalStateError extends Error {
  constructor(
    readonly what: string,
    readonly state: string,
  ) {
    super(`${what} is not allowed in state ${state}`);
    this.name = 'IllegalStateError';
  }
}

/** How a service run ended other than cleanly or with its own fatal error; names the service. */
abstract class ServiceRunError extends Error {
  constructor(
    readonly service: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${service} ${message}`, options);
    this.name = new.target.name;
  }
}

/** Shutting down (after a signal or a fatal error) took longer than the one shutdown deadline. */
export class ShutdownDeadlineExceeded extends ServiceRunError {
  constructor(
    service: string,
    readonly deadlineMs: number,
    options?: { cause?: unknown },
  ) {
    super(service, `did not shut down within ${deadlineMs} ms`, options);
  }
}

/**
 * A stop was requested (SIGTERM, SIGINT) before the service finished starting: it never served,
 * so this is not a clean stop. Entry points exit with 128 + the signal number (143 for SIGTERM).
 */
export class StartInterruptedError extends ServiceRunError {
  constructor(
    service: string,
    /** What stopped it: the signal name, or the reason given to stop(). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(service, `was stopped (${reason}) before it finished starting`, options);
  }
}
