import { ValidationError } from '@fraud/contracts';

/**
 * Redis failed or timed out; no result of the batch may be used. Retrying the same batch is safe:
 * every update is idempotent per transaction id. The scorer pauses consumption and retries.
 */
export class FeatureStoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FeatureStoreUnavailableError';
  }
}

/**
 * A transaction field the features need is unusable. A ValidationError, so a caller that
 * dead-letters contract violations handles it the same way; thrown before any state is written.
 */
export class UnusableTransactionError extends ValidationError {
  constructor(
    field: string,
    message: string,
    /** Position of the transaction in the batch. */
    readonly index: number,
  ) {
    super(field, `${message} (transaction ${index} of the batch)`);
    this.name = 'UnusableTransactionError';
  }
}

/** Store options are wrong: thrown by constructors, before any Redis call. */
export class FeatureStoreConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'FeatureStoreConfigError';
  }
}
