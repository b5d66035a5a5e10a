/**
 * What a kafkajs error means for the caller, decided by error class, the broker's protocol error
 * `type` / `code` and kafkajs' `retriable` flag, never by matching message text (which kafkajs
 * and the broker are free to reword).
 */
import kafkajs from 'kafkajs';

// kafkajs is CommonJS: Node's ESM loader exposes its error classes on the default export only.
const {
  KafkaJSError,
  KafkaJSProtocolError,
  KafkaJSConnectionError,
  KafkaJSRequestTimeoutError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSAggregateError,
} = kafkajs;

/**
 * Protocol errors that mean another producer now owns our transactional id (Kafka's error table):
 * PRODUCER_FENCED (90), INVALID_PRODUCER_EPOCH (47), INVALID_PRODUCER_ID_MAPPING (49), and
 * INVALID_TXN_STATE (48): the coordinator no longer holds our transaction in the state our
 * producer believes, because a newer InitProducerId aborted it while we were adding partitions or
 * producing (seen in scorer-group-commit.int.test.ts; Kafka's own producer treats it as fatal for
 * the producer). Either way nothing of the transaction becomes visible and the cure is the same:
 * replace the producer (its InitProducerId aborts whatever is left open).
 */
export const FENCING_ERRORS: ReadonlyMap<string, number> = new Map([
  ['PRODUCER_FENCED', 90],
  ['INVALID_PRODUCER_EPOCH', 47],
  ['INVALID_TXN_STATE', 48],
  ['INVALID_PRODUCER_ID_MAPPING', 49],
]);
const FENCING_CODES = new Set(FENCING_ERRORS.values());

/**
 * - `fenced`: a newer owner took the transactional id; retrying cannot help, the work is theirs.
 * - `transient`: the broker is unreachable, slow or moving (reconnect and retry).
 * - `fatal`: a Kafka error that retrying will not fix (authorization, bad request, ...).
 */
export type KafkaErrorKind = 'fenced' | 'transient' | 'fatal';

const MAX_DEPTH = 5;

/** The error and what kafkajs wrapped in it (retries exceeded, non-retriable wrappers, aggregates). */
function* chain(error: unknown, depth = 0): Generator<Error> {
  if (!(error instanceof Error) || depth > MAX_DEPTH) return;
  yield error;
  if (error instanceof KafkaJSAggregateError) {
    for (const inner of error.errors) yield* chain(inner, depth + 1);
    return;
  }
  if (!(error instanceof KafkaJSError)) return;
  const wrapped = error as Error & { originalError?: unknown };
  yield* chain(wrapped.cause, depth + 1);
  if (wrapped.originalError !== wrapped.cause) yield* chain(wrapped.originalError, depth + 1);
}

function isFencingProtocolError(error: Error): boolean {
  if (!(error instanceof KafkaJSProtocolError)) return false;
  const { type, code } = error as Error & { type?: string; code?: number };
  return (type !== undefined && FENCING_ERRORS.has(type)) || (code !== undefined && FENCING_CODES.has(code));
}

function isTransient(error: Error): boolean {
  return (
    error instanceof KafkaJSError &&
    (error.retriable ||
      error instanceof KafkaJSConnectionError ||
      error instanceof KafkaJSRequestTimeoutError ||
      error instanceof KafkaJSNumberOfRetriesExceeded)
  );
}

/**
 * Classifies a Kafka error; undefined when `error` is not a kafkajs error at all. Fencing
 * anywhere in the chain wins over transient (a retry after fencing would fail the same way).
 */
export function classifyKafkaError(error: unknown): KafkaErrorKind | undefined {
  const errors = [...chain(error)];
  if (errors.some(isFencingProtocolError)) return 'fenced';
  if (!(error instanceof KafkaJSError) && !(error instanceof KafkaJSAggregateError)) return undefined;
  return errors.some(isTransient) ? 'transient' : 'fatal';
}

/** A newer producer owns the transactional id (also when wrapped by kafkajs' retries). */
export const isProducerFencedError = (error: unknown): boolean => classifyKafkaError(error) === 'fenced';

/** Broker unreachable or slow, and not fenced: reconnect and retry. */
export const isTransientKafkaError = (error: unknown): boolean => classifyKafkaError(error) === 'transient';
