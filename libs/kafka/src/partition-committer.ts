import type { Kafka, Message, Producer } from 'kafkajs';
import { isProducerFencedError } from './kafka-errors.ts';
import { StableOffsetReader } from './stable-offset-fetch.ts';

export interface PartitionCommitterOptions {
  /**
   * Shared by every replica of one consumer group, distinct between groups: partition P of topic
   * T always uses the transactional id `<prefix>-<T>-<P>`, whoever owns it.
   */
  transactionalIdPrefix: string;
  consumerGroupId: string;
  /** @default 30000: an open transaction of a dead owner blocks read_committed readers at most this long. */
  transactionTimeoutMs?: number;
}

/** One processed chunk's outputs and the offset to commit with them. */
export interface CommitRequest {
  topicMessages: { topic: string; messages: Message[] }[];
  /** The next offset to consume on this partition (last processed + 1). */
  offset: { topic: string; partition: number; offset: string };
}

/**
 * Another producer with this partition's transactional id started after ours: another member owns
 * the partition now (or the coordinator aborted our transaction on timeout). Nothing we sent in
 * the failed transaction is visible; claim the partition again before committing for it.
 */
export class PartitionFencedError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    options: { cause: unknown },
  ) {
    super(`partition ${topic}[${partition}] fenced: a newer producer owns its transactional id`, options);
    this.name = 'PartitionFencedError';
  }
}

/** Reads a group's committed offset once no transaction has it pending (StableOffsetReader). */
export interface CommittedOffsetReader {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** -1 when the group never committed one. */
  fetch(groupId: string, topic: string, partition: number): Promise<bigint>;
}

interface Claim {
  producer: Producer;
  /** The claim generation it was made for; a new assignment needs a new claim. */
  generation: number;
}

/**
 * Exactly-once commits that a zombie cannot break, with kafkajs (no KIP-447).
 *
 * Every input partition has its own transactional producer whose transactional id is derived
 * from the group, the topic and the partition (Kafka Streams' exactly-once before KIP-447).
 * Before a member commits anything for a partition it was just assigned, it claims it: a new
 * producer with that id calls InitProducerId. The transaction coordinator then bumps the epoch,
 * which aborts an open transaction of the previous owner (outputs and pending offsets alike) and
 * makes every later request of that owner fail with PRODUCER_FENCED, EndTxn included; a
 * transaction of the previous owner that is already committing is completed first (the request
 * returns CONCURRENT_TRANSACTIONS until it is). Only then does the claim read the partition's
 * committed offset (OffsetFetch v7, require_stable), which is therefore final: the caller skips what the previous owner committed
 * and never redoes it.
 *
 * A transaction carries one partition's chunk, so it never mixes partitions whose owners could
 * differ. Partitions commit in parallel, each on its own producer.
 */
export class PartitionCommitter {
  private readonly claims = new Map<string, Claim>();
  private readonly offsets: CommittedOffsetReader;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: PartitionCommitterOptions,
    /** The offset reader; unit tests pass a fake, production uses OffsetFetch v7 on `kafka`. */
    offsets: CommittedOffsetReader = new StableOffsetReader(kafka),
  ) {
    this.offsets = offsets;
  }

  transactionalIdOf(topic: string, partition: number): string {
    return `${this.options.transactionalIdPrefix}-${topic}-${partition}`;
  }

  async connect(): Promise<void> {
    await this.offsets.connect();
  }

  /** True when `topic[partition]` was claimed for this generation (no claim needed before committing). */
  isClaimed(topic: string, partition: number, generation: number): boolean {
    return this.claims.get(key(topic, partition))?.generation === generation;
  }

  /**
   * Fences every earlier producer of the partition and returns its committed offset afterwards
   * (undefined when the group never committed one). Replaces an older claim of this member.
   */
  async claim(topic: string, partition: number, generation: number): Promise<bigint | undefined> {
    this.release(topic, partition);
    const producer = this.kafka.producer({
      transactionalId: this.transactionalIdOf(topic, partition),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs ?? 30_000,
      // The broker answers CONCURRENT_TRANSACTIONS to the next transaction's first request while
      // the previous commit's markers are still being written (a few ms), and to InitProducerId
      // while it aborts the previous owner's transaction. The client default of retrying after
      // ~300 ms turned that into a 300 ms stall per transaction; retry quickly.
      retry: { initialRetryTime: 5, maxRetryTime: 1_000, retries: 15 },
    });
    await producer.connect();
    try {
      // kafkajs sends InitProducerId (with our transactional id) on the first transaction: that
      // is the fence. An empty transaction ends locally without a request.
      const transaction = await producer.transaction();
      await transaction.abort();
    } catch (error) {
      void producer.disconnect().catch(() => undefined); // in the background, as in release()
      throw error;
    }
    this.claims.set(key(topic, partition), { producer, generation });
    return this.committedOffset(topic, partition);
  }

  /**
   * Forgets a claim (the partition was revoked, fenced or its producer failed) and closes the
   * producer in the background. Nothing needs to wait for that close: the producer is fenced or
   * unusable, and the next claim's InitProducerId fences it whatever state it is in. Waiting would
   * tie the partition to kafkajs' disconnect, which first waits for the connection's in-flight
   * requests and has hung on that in known cases (tulios/kafkajs#918, #1167).
   */
  release(topic: string, partition: number): void {
    const claim = this.claims.get(key(topic, partition));
    if (!claim) return;
    this.claims.delete(key(topic, partition));
    void claim.producer.disconnect().catch(() => undefined);
  }

  /** Releases the claims on `topic` whose partition is not in `keep` (after a rebalance). */
  async releaseAllExcept(topic: string, keep: readonly number[]): Promise<void> {
    const kept = new Set(keep.map((p) => key(topic, p)));
    const revoked = [...this.claims.keys()].filter((k) => k.startsWith(`${topic}\u0000`) && !kept.has(k));
    await Promise.all(
      revoked.map((k) => {
        const claim = this.claims.get(k)!;
        this.claims.delete(k);
        return claim.producer.disconnect().catch(() => undefined);
      }),
    );
  }

  /**
   * Commits the outputs and the offset in one transaction of the partition's producer, if the
   * partition is still claimed for `generation` (the claim the records were read under). Throws
   * PartitionFencedError when it is not, or when another producer claimed the partition meanwhile
   * (nothing committed). A chunk read under an older claim must never commit through a newer one:
   * the newer claim read the committed offset after the older one's work, possibly redone since.
   */
  async commit(request: CommitRequest, generation: number): Promise<void> {
    const { topic, partition, offset } = request.offset;
    const claim = this.claims.get(key(topic, partition));
    if (claim?.generation !== generation) {
      const why = claim ? `claimed again for generation ${claim.generation}` : 'released';
      throw new PartitionFencedError(topic, partition, {
        cause: new Error(`read under generation ${generation}; ${why}`),
      });
    }
    const transaction = await this.begin(claim, topic, partition);
    try {
      const topicMessages = request.topicMessages.filter((t) => t.messages.length > 0);
      if (topicMessages.length > 0) await transaction.sendBatch({ topicMessages });
      await transaction.sendOffsets({
        consumerGroupId: this.options.consumerGroupId,
        topics: [{ topic, partitions: [{ partition, offset }] }],
      });
      await transaction.commit();
    } catch (error) {
      // The original error matters more than the abort's own.
      const aborted = await transaction.abort().then(
        () => true,
        () => false,
      );
      if (isProducerFencedError(error)) {
        this.release(topic, partition);
        throw new PartitionFencedError(topic, partition, { cause: error });
      }
      // Not aborted (an EndTxn that failed leaves kafkajs' producer in COMMITTING, where it
      // refuses abort and every later transaction; or the outage outlasted the abort): the
      // producer is unusable and the transaction's fate unknown, since a commit that timed out
      // may still have landed. Release the claim: the caller's next batch claims again, whose
      // InitProducerId completes or aborts whatever is open, and whose committed offset then
      // says whether to redo the records or skip them.
      if (!aborted) this.release(topic, partition);
      throw error;
    }
  }

  /** Closes every producer and the admin client. */
  async disconnect(): Promise<void> {
    const steps = [...this.claims.values()].map((claim) => claim.producer.disconnect());
    this.claims.clear();
    steps.push(this.offsets.disconnect());
    const results = await Promise.allSettled(steps);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async begin(claim: Claim, topic: string, partition: number) {
    try {
      return await claim.producer.transaction();
    } catch (error) {
      if (!isProducerFencedError(error)) throw error;
      this.release(topic, partition);
      throw new PartitionFencedError(topic, partition, { cause: error });
    }
  }

  private async committedOffset(topic: string, partition: number): Promise<bigint | undefined> {
    // require_stable: a transaction that committed just before our InitProducerId may not have
    // its offsets materialized yet; an older OffsetFetch would return the offset before it.
    const offset = await this.offsets.fetch(this.options.consumerGroupId, topic, partition);
    return offset >= 0n ? offset : undefined;
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
