/**
 * One chaos or drain run's own world on a stack: topics, schema subject, consumer group and Redis
 * key prefix named after the run; pre-encoded simulated transactions; a producer that rides out
 * broker outages; and a read_committed reader that counts decisions per transaction id.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { ContractSerde, valueSubject, type Transaction } from '@fraud/contracts';
import { deleteFeatureKeys } from '@fraud/features';
import { retryThroughOutage } from '@fraud/kafka';
import { simulate } from '@fraud/simulator';

export interface Endpoints {
  kafkaBrokers: string[];
  registryUrl: string;
  redisUrl: string;
}

export interface Encoded {
  ids: string[];
  keys: Buffer[];
  values: Buffer[];
}

/** Per-run counts: what went in, what came out once, more than once, or not at all. */
export interface Tally {
  inputs: number;
  decisions: number;
  duplicates: number;
  missing: number;
  /** Longest stretch without a new decision on one input partition (decisions' Kafka timestamps). */
  longestGapMs: number;
}

export class RunTopics {
  readonly runId: string;
  readonly topics: { transactions: string; decisions: string; alerts: string; dlq: string };
  readonly groupId: string;
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private reader: Consumer | undefined;
  serde!: ContractSerde<Transaction>;
  /** Decisions per transaction id, and each first decision's Kafka timestamp. */
  private readonly hits = new Map<string, number>();
  private readonly decidedAt = new Map<string, number>();
  /** Where each decision was read (partition@offset and timestamp), for diagnosing duplicates. */
  private readonly records = new Map<string, string[]>();
  /** Highest offset read per partition: a restarted reader re-reads, and must not count twice. */
  private readonly readUpTo = new Map<number, bigint>();
  produced = 0;

  constructor(
    readonly endpoints: Endpoints,
    name: string,
    readonly partitions: number,
  ) {
    this.runId = `${name}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
    this.topics = {
      transactions: `${this.runId}.transactions`,
      decisions: `${this.runId}.decisions`,
      alerts: `${this.runId}.alerts`,
      dlq: `${this.runId}.dlq`,
    };
    this.groupId = `${this.runId}.scorers`;
    this.kafka = new Kafka({
      clientId: this.runId,
      brokers: endpoints.kafkaBrokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
  }

  async open(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.createTopics(this.admin);
    this.serde = new ContractSerde<Transaction>(
      new SchemaRegistry({ host: this.endpoints.registryUrl }),
      'transaction',
    );
    await this.serde.registerWriter(valueSubject(this.topics.transactions));
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
  }

  /**
   * Creates the run's topics and waits for their leaders. Right after another run deleted its
   * topics, KRaft metadata can briefly answer UNKNOWN_TOPIC_OR_PARTITION for new ones (kafkajs'
   * waitForLeaders does not retry that): ask again until the topics are served (bounded).
   */
  private async createTopics(admin: Admin): Promise<void> {
    const topics = Object.values(this.topics);
    const deadline = Date.now() + 60_000;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((topic) => ({ topic, numPartitions: this.partitions, replicationFactor: 1 })),
      });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    for (;;) {
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} not served after 60 s`);
      try {
        const { topics: served } = await admin.fetchTopicMetadata({ topics });
        if (
          served.every(
            (t) => t.partitions.length === this.partitions && t.partitions.every((p) => p.leader >= 0),
          )
        )
          return;
      } catch {
        // not served yet: ask again
      }
      await sleep(500);
    }
  }

  /** Simulated transactions with event times `spanMs` apart in total, ending now, encoded once. */
  encode(count: number, seed: number, spanMs: number): Encoded {
    const start = Date.now() - spanMs;
    const out: Encoded = { ids: [], keys: [], values: [] };
    let i = 0;
    for (const { tx } of simulate({
      seed,
      transactions: count,
      startTimeMs: start,
      idPrefix: `${this.runId}-`,
      customers: Math.max(200, count / 4),
    })) {
      tx.eventTime = start + Math.floor((i++ * spanMs) / count);
      out.ids.push(tx.transactionId);
      out.keys.push(Buffer.from(tx.originAccountId));
      out.values.push(this.serde.encode(tx));
    }
    return out;
  }

  /**
   * Produces `load[from, to)` at `tps` in 50 ms ticks (0 = as fast as possible), retrying
   * through broker outages for at most `maxOutageMs`.
   */
  async produce(
    load: Encoded,
    tps: number,
    from = 0,
    to = load.ids.length,
    maxOutageMs = 90_000,
  ): Promise<void> {
    const producer = this.producer!;
    const perTick = tps > 0 ? Math.max(1, Math.round(tps / 20)) : 5_000;
    for (let i = from; i < to; i += perTick) {
      const tickStart = Date.now();
      const messages: { key: Buffer; value: Buffer }[] = [];
      for (let k = i; k < Math.min(to, i + perTick); k++)
        messages.push({ key: load.keys[k]!, value: load.values[k]! });
      await retryThroughOutage(
        `produce to ${this.topics.transactions}`,
        () => producer.send({ topic: this.topics.transactions, acks: -1, messages }),
        {
          maxOutageMs,
        },
      );
      this.produced += messages.length;
      if (tps > 0) await sleep(Math.max(0, 50 - (Date.now() - tickStart)));
    }
  }

  /** Starts the read_committed reader of the decisions topic (from the beginning). */
  async startReader(): Promise<void> {
    const reader = this.kafka.consumer({
      groupId: `${this.runId}.reader`,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 3_000 },
    });
    this.reader = reader;
    await reader.connect();
    await reader.subscribe({ topic: this.topics.decisions, fromBeginning: true });
    await reader.run({
      eachBatch: async ({ batch }) => {
        const seen = this.readUpTo.get(batch.partition) ?? -1n;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset <= seen) continue;
          this.readUpTo.set(batch.partition, offset);
          const id = m.key?.toString() ?? '';
          const n = (this.hits.get(id) ?? 0) + 1;
          this.hits.set(id, n);
          if (n === 1) this.decidedAt.set(id, Number(m.timestamp));
          const where = this.records.get(id) ?? [];
          where.push(`p${batch.partition}@${m.offset} t=${m.timestamp}`);
          this.records.set(id, where);
        }
        await Promise.resolve();
      },
    });
  }

  get uniqueDecisions(): number {
    return this.hits.size;
  }

  /** Waits until every id in `ids` has a decision, or `idleMs` pass without progress (bounded by `maxMs`). */
  async waitForDecisions(ids: readonly string[], idleMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    let last = -1;
    let lastProgress = Date.now();
    while (Date.now() < deadline) {
      const have = ids.reduce((n, id) => n + (this.hits.has(id) ? 1 : 0), 0);
      if (have >= ids.length) return;
      if (have !== last) {
        last = have;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > idleMs) return;
      await sleep(250);
    }
  }

  /**
   * Counts per transaction id, and the longest stretch between consecutive decisions of one
   * input partition (`partitionOf(id)`) inside [fromMs, toMs]: the time a partition went
   * undecided, e.g. between a worker's crash and its successor's first commit.
   */
  tally(ids: readonly string[], partitionOf: (id: string) => number, fromMs: number, toMs: number): Tally {
    let duplicates = 0;
    let missing = 0;
    let decisions = 0;
    const perPartition = new Map<number, number[]>();
    for (const id of ids) {
      const n = this.hits.get(id) ?? 0;
      if (n === 0) missing++;
      else decisions++;
      if (n > 1) duplicates += n - 1;
      const at = this.decidedAt.get(id);
      if (at === undefined || at < fromMs || at > toMs) continue;
      const p = partitionOf(id);
      const list = perPartition.get(p) ?? [];
      list.push(at);
      perPartition.set(p, list);
    }
    let longestGapMs = 0;
    for (const times of perPartition.values()) {
      times.sort((a, b) => a - b);
      for (let k = 1; k < times.length; k++) longestGapMs = Math.max(longestGapMs, times[k]! - times[k - 1]!);
    }
    return { inputs: ids.length, decisions, duplicates, missing, longestGapMs };
  }

  /** Up to `limit` duplicated ids with where each of their decisions was read. */
  duplicatesDetail(limit = 20): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, where] of this.records) {
      if (where.length < 2) continue;
      out[id] = where;
      if (Object.keys(out).length >= limit) break;
    }
    return out;
  }

  /** The first record of the input topic (its raw value), read with a throwaway consumer. */
  async readFirstInput(): Promise<Buffer> {
    const consumer = this.kafka.consumer({ groupId: `${this.runId}.sample-${Date.now()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topics.transactions, fromBeginning: true });
      return await new Promise<Buffer>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            if (message.value) resolve(message.value);
            return Promise.resolve();
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
  }

  /** Committed offsets of the scorers' group, summed over partitions (the drain measure). */
  async committedTotal(): Promise<number> {
    const [result] = await this.admin!.fetchOffsets({
      groupId: this.groupId,
      topics: [this.topics.transactions],
    });
    return (result?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  /** Deletes what the run created (topics, groups, Redis keys); every step runs. */
  async close(): Promise<void> {
    await this.reader?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    if (this.admin) {
      await this.admin
        .deleteTopics({ topics: Object.values(this.topics), timeout: 30_000 })
        .catch(() => undefined);
      await this.admin.deleteGroups([this.groupId, `${this.runId}.reader`]).catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    }
    const redis = new Redis(this.endpoints.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await deleteFeatureKeys(redis, this.runId);
    } catch {
      // A stack that is gone takes its keys with it.
    } finally {
      redis.disconnect();
    }
  }
}
