export { createKafka, type KafkaConnectionConfig, type SaslMechanism } from './client.ts';
export { ensureTopics, type TopicSpec } from './topics.ts';
export { DLQ_HEADERS, deadLetterMessage, type DeadLetterSource } from './dead-letter.ts';
export {
  PartitionCommitter,
  PartitionFencedError,
  type CommitRequest,
  type CommittedOffsetReader,
  type PartitionCommitterOptions,
} from './partition-committer.ts';
export { silenceKafkajsTimeoutWarnings } from './node-warnings.ts';
export { KafkaOutageError, retryThroughOutage, type OutageRetryOptions } from './outage-retry.ts';
export { StableOffsetReader, OffsetFetchError } from './stable-offset-fetch.ts';
export {
  FENCING_ERRORS,
  classifyKafkaError,
  isProducerFencedError,
  isTransientKafkaError,
  type KafkaErrorKind,
} from './kafka-errors.ts';
