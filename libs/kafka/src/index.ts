export { createKafka, type KafkaConnectionConfig, type SaslMechanism } from './client.ts';
export { ensureTopics, type TopicSpec } from './topics.ts';
export { DLQ_HEADERS, deadLetterMessage, type DeadLetterSource } from './dead-letter.ts';
export { GroupCommitter, type CommitRequest, type GroupCommitterOptions } from './group-committer.ts';
export { silenceKafkajsTimeoutWarnings } from './node-warnings.ts';
