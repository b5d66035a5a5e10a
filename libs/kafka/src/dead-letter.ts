import type { IHeaders, Message } from 'kafkajs';

/** Header names on dead-lettered records; consumers of the DLQ rely on them. */
export const DLQ_HEADERS = {
  errorClass: 'dlq.error.class',
  errorMessage: 'dlq.error.message',
  reason: 'dlq.reason',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  schemaId: 'dlq.schema.id',
  failedAt: 'dlq.failed.at',
} as const;

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders | undefined;
}

const MAX_ERROR_MESSAGE_BYTES = 1024;

/**
 * The dead-letter record for a message that cannot be processed: the original key, value and
 * headers byte for byte, plus headers saying why and where it came from.
 */
export function deadLetterMessage(
  source: DeadLetterSource,
  error: Error & { reason?: string; schemaId?: number | undefined },
  nowMs: number = Date.now(),
): Message {
  const headers: IHeaders = {
    ...(source.headers ?? {}),
    [DLQ_HEADERS.errorClass]: error.name,
    [DLQ_HEADERS.errorMessage]: error.message.slice(0, MAX_ERROR_MESSAGE_BYTES),
    [DLQ_HEADERS.reason]: error.reason ?? 'unknown',
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: source.offset,
    [DLQ_HEADERS.failedAt]: String(nowMs),
  };
  if (error.schemaId !== undefined) headers[DLQ_HEADERS.schemaId] = String(error.schemaId);
  return { key: source.key, value: source.value, headers };
}
