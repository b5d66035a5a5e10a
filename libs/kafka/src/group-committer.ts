import type { Kafka, Message, Producer } from 'kafkajs';

export interface GroupCommitterOptions {
  /** Stable per worker instance so a restarted worker fences and aborts its predecessor's open transaction. */
  transactionalId: string;
  consumerGroupId: string;
  /** @default 30000: an open transaction of a dead worker blocks read_committed readers at most this long. */
  transactionTimeoutMs?: number;
}

/** One processed batch's outputs and the offset to commit with them. */
export interface CommitRequest {
  topicMessages: { topic: string; messages: Message[] }[];
  /** The next offset to consume on this partition (last processed + 1). */
  offset: { topic: string; partition: string | number; offset: string };
}

interface Pending {
  request: CommitRequest;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for exactly-once batches: every batch that finishes processing while a Kafka
 * transaction is in flight joins the next one. One transaction (begin, produce, offsets, commit:
 * about five broker round trips) then carries the outputs and offsets of several partitions'
 * batches, instead of each batch paying for its own; under light load a batch waits for at most
 * one transaction ahead of it. All batches of a transaction succeed or fail together, and a
 * failed one is aborted, so nothing it carried is visible to read_committed readers.
 */
export class GroupCommitter {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: GroupCommitterOptions,
  ) {
    this.producer = kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 30_000,
      // The broker answers CONCURRENT_TRANSACTIONS to the next transaction's first request while
      // the previous commit's markers are still being written (a few ms). The client default of
      // retrying after ~300 ms turned that into a 300 ms stall per transaction; retry quickly.
      retry: { initialRetryTime: 5, maxRetryTime: 1_000, retries: 12 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Waits for queued commits, then closes the producer. */
  async disconnect(): Promise<void> {
    await this.draining?.catch(() => undefined);
    await this.producer.disconnect();
  }

  /** Resolves once the request's messages and offset are committed; rejects if its transaction failed. */
  commit(request: CommitRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.commitGroup(group.map((p) => p.request));
        for (const pending of group) pending.resolve();
      } catch (error) {
        for (const pending of group) pending.reject(error);
      }
    }
  }

  private async commitGroup(requests: CommitRequest[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { topicMessages } of requests) {
      for (const { topic, messages } of topicMessages) {
        if (messages.length === 0) continue;
        const list = byTopic.get(topic);
        if (list) list.push(...messages);
        else byTopic.set(topic, [...messages]);
      }
    }
    const offsets = new Map<string, { partition: number; offset: string }[]>();
    for (const { offset } of requests) {
      const list = offsets.get(offset.topic) ?? [];
      list.push({ partition: Number(offset.partition), offset: offset.offset });
      offsets.set(offset.topic, list);
    }
    const transaction = await this.producer.transaction();
    try {
      if (byTopic.size > 0) {
        await transaction.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.options.consumerGroupId,
        topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined); // the original error matters more
      throw error;
    }
  }
}
