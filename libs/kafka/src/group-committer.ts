import type { Kafka, Message, Producer } from 'kafkajs';

export interface GroupCommitterOptions {
  /**
   * Stable per worker instance, so a restarted worker fences and aborts its predecessor's open
   * transactions; each lane uses `<prefix>-<lane>`.
   */
  transactionalIdPrefix: string;
  /**
   * Transactions in flight at once, one producer each. Two let a batch that finishes during a
   * commit start its own transaction at once instead of waiting for that commit.
   * @default 2
   */
  lanes?: number;
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
 * Group commit for exactly-once batches: every batch that finishes processing while all lanes
 * are busy joins the next free lane's transaction. One transaction (begin, produce, offsets,
 * commit: about five broker round trips) then carries the outputs and offsets of several
 * partitions' batches, instead of each batch paying for its own. All batches of a transaction
 * succeed or fail together, and a failed one is aborted, so nothing it carried is visible to
 * read_committed readers. A partition's next batch is only processed after its previous one
 * committed, so lanes never reorder a partition.
 */
export class GroupCommitter {
  private readonly idle: Producer[] = [];
  private readonly all: Producer[] = [];
  private queue: Pending[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    kafka: Kafka,
    private readonly options: GroupCommitterOptions,
  ) {
    for (let lane = 0; lane < (options.lanes ?? 2); lane++) {
      const producer = kafka.producer({
        transactionalId: `${options.transactionalIdPrefix}-${lane}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: options.transactionTimeoutMs ?? 30_000,
        // The broker answers CONCURRENT_TRANSACTIONS to the next transaction's first request while
        // the previous commit's markers are still being written (a few ms). The client default of
        // retrying after ~300 ms turned that into a 300 ms stall per transaction; retry quickly.
        retry: { initialRetryTime: 5, maxRetryTime: 1_000, retries: 12 },
      });
      this.all.push(producer);
      this.idle.push(producer);
    }
  }

  async connect(): Promise<void> {
    await Promise.all(this.all.map((producer) => producer.connect()));
  }

  /** Waits for the transactions in flight, then closes the producers. */
  async disconnect(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    const results = await Promise.allSettled(this.all.map((producer) => producer.disconnect()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Resolves once the request's messages and offset are committed; rejects if its transaction failed. */
  commit(request: CommitRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Hands everything queued to an idle lane, if there is one. */
  private dispatch(): void {
    if (this.queue.length === 0) return;
    const producer = this.idle.pop();
    if (!producer) return; // a lane finishing its transaction dispatches again
    const group = this.queue;
    this.queue = [];
    const run = this.commitGroup(
      producer,
      group.map((p) => p.request),
    ).then(
      () => group.forEach((pending) => pending.resolve()),
      (error: unknown) => group.forEach((pending) => pending.reject(error)),
    );
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      this.idle.push(producer);
      this.dispatch();
    });
  }

  private async commitGroup(producer: Producer, requests: CommitRequest[]): Promise<void> {
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
    const transaction = await producer.transaction();
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
