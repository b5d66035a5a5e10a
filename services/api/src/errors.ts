/** Why a request could not be scored, as the response's `error` field and the errors metric's class. */
export type UnavailableReason =
  'feature_store_unavailable' | 'model_unavailable' | 'deadline_exceeded' | 'shutting_down';

/** Too many requests waiting: shed with 429 + Retry-After instead of queueing without bound. */
export class OverloadedError extends Error {
  constructor(readonly queued: number) {
    super(`${queued} requests already waiting to be scored`);
    this.name = 'OverloadedError';
  }
}

/** A dependency or the request's own deadline failed it: 503 with the reason. */
export class ScoringUnavailableError extends Error {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ScoringUnavailableError';
  }
}
