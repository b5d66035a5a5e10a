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

/** Shutting down (after a signal or a fatal error) took longer than the one shutdown deadline. */
export class ShutdownDeadlineExceeded extends Error {
  constructor(
    readonly service: string,
    readonly deadlineMs: number,
    options?: { cause?: unknown },
  ) {
    super(`${service} did not shut down within ${deadlineMs} ms`, options);
    this.name = 'ShutdownDeadlineExceeded';
  }
}

/**
 * A stop was requested (SIGTERM, SIGINT) before the service finished starting: it never served,
 * so this is not a clean stop. Entry points exit with 128 + the signal number (143 for SIGTERM).
 */
export class StartInterruptedError extends Error {
  constructor(
    readonly service: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${service} was stopped (${reason}) before it finished starting`, options);
    this.name = 'StartInterruptedError';
  }
}
