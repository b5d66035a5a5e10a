import type { Kafka, Producer, Transaction } from 'kafkajs';

export interface TransactionalProducerPoolOptions {
  /** Stable per worker instance so a restarted worker fences and aborts its predecessor's open transactions. */
  transactionalIdPrefix: string;
  /** One producer per batch that may be in its produce phase at once. */
  size: number;
  /** @default 30000: an open transaction of a dead worker blocks read_committed readers at most this long. */
  transactionTimeoutMs?: number;
}

/**
 * A fixed set of transactional producers. A kafkajs producer runs one transaction at a time, so
 * batches from different partitions that finish together each take their own producer: their
 * outputs and consumed offsets commit in independent transactions.
 */
export class TransactionalProducerPool {
  private readonly idle: Producer[] = [];
  private readonly all: Producer[] = [];
  private readonly waiters: ((producer: Producer) => void)[] = [];

  constructor(kafka: Kafka, options: TransactionalProducerPoolOptions) {
    for (let slot = 0; slot < options.size; slot++) {
      const producer = kafka.producer({
        transactionalId: `${options.transactionalIdPrefix}-${slot}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: options.transactionTimeoutMs ?? 30_000,
      });
      this.all.push(producer);
      this.idle.push(producer);
    }
  }

  async connect(): Promise<void> {
    await Promise.all(this.all.map((producer) => producer.connect()));
  }

  async disconnect(): Promise<void> {
    const results = await Promise.allSettled(this.all.map((producer) => producer.disconnect()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Runs `work` inside one Kafka transaction and commits it; aborts on any error and rethrows, so
   * nothing `work` sent (outputs or offsets) becomes visible to read_committed consumers.
   */
  async inTransaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const producer = await this.acquire();
    try {
      const transaction = await producer.transaction();
      try {
        const result = await work(transaction);
        await transaction.commit();
        return result;
      } catch (error) {
        await transaction.abort().catch(() => undefined); // the original error matters more
        throw error;
      }
    } finally {
      this.release(producer);
    }
  }

  private acquire(): Promise<Producer> {
    const producer = this.idle.pop();
    if (producer) return Promise.resolve(producer);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(producer: Producer): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(producer);
    else this.idle.push(producer);
  }
}
