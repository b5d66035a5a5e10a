/**
 * Consumes fraud_alerts, fraud.decisions and fraud.labels into the case store exactly once: the
 * rows of a batch and the partition's next offset are written in one database transaction, and
 * each batch skips offsets below the stored one. Kafka's own committed offsets are not used;
 * on (re)assignment the consumer seeks to the stored offset.
 *
 * A record that cannot be decoded goes to the DLQ topic with the reason in its headers, before
 * the offset that passes it is stored; ingestion goes on. Registry or database outages throw, and
 * kafkajs retries the batch.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  ContractError,
  ContractSerde,
  DecodeError,
  type FraudAlert,
  type FraudDecision,
  type FraudLabel,
} from '@fraud/contracts';
import { deadLetterMessage } from '@fraud/kafka';
import type { Db, Queryable } from '../db/db.ts';
import { insertAlerts, insertDecisions } from '../store/alerts.ts';

export interface IngesterTopics {
  alerts: string;
  decisions: string;
  labels: string;
  dlq: string;
}

export interface IngesterOptions {
  kafka: Kafka;
  registry: SchemaRegistry;
  db: Db;
  topics: IngesterTopics;
  groupId: string;
  logger: Logger;
  /** Called after each committed batch (the web pages' live refresh uses it). */
  onIngested?: (counts: { alerts: number; decisions: number; labels: number }) => void;
}

type Kind = 'alerts' | 'decisions' | 'labels';

export async function storedOffset(
  db: Queryable,
  groupId: string,
  topic: string,
  partition: number,
): Promise<number | undefined> {
  const row = await db.get<{ next_offset: number }>(
    'SELECT next_offset FROM consumer_offsets WHERE group_id = ? AND topic = ? AND partition_id = ?',
    [groupId, topic, partition],
  );
  return row ? Number(row.next_offset) : undefined;
}

async function storeOffset(
  tx: Queryable,
  groupId: string,
  topic: string,
  partition: number,
  next: number,
): Promise<void> {
  await tx.run(
    `INSERT INTO consumer_offsets (group_id, topic, partition_id, next_offset) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_id, topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset`,
    [groupId, topic, partition, next],
  );
}

/** The labels table keeps the latest label per transaction (by labeledAt). */
async function upsertLabels(tx: Queryable, labels: readonly FraudLabel[]): Promise<void> {
  for (const l of labels) {
    await tx.run(
      `INSERT INTO labels (transaction_id, is_fraud, source, labeled_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (transaction_id) DO UPDATE SET is_fraud = excluded.is_fraud, source = excluded.source,
         labeled_at = excluded.labeled_at WHERE excluded.labeled_at >= labels.labeled_at`,
      [l.transactionId, l.isFraud ? 1 : 0, l.source, l.labeledAt],
    );
  }
}

/** Semantic checks a well-formed Avro record can still fail; such records are dead-lettered. */
function checkAlert(alert: FraudAlert): void {
  if (!alert.transactionId) throw new DecodeError('transactionId is empty');
  if (!Number.isFinite(alert.score) || alert.score < 0 || alert.score > 1) {
    throw new DecodeError(`score ${alert.score} is not a probability in [0, 1]`);
  }
}

export class Ingester {
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private readonly serdes: {
    alerts: ContractSerde<FraudAlert>;
    decisions: ContractSerde<FraudDecision>;
    labels: ContractSerde<FraudLabel>;
  };
  private readonly kindOf: Map<string, Kind>;
  /** Records sent to the DLQ since start (the status page shows it). */
  deadLettered = 0;

  constructor(private readonly options: IngesterOptions) {
    const { kafka, registry, topics, groupId } = options;
    this.consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
    this.dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.serdes = {
      alerts: new ContractSerde<FraudAlert>(registry, 'fraud-alert'),
      decisions: new ContractSerde<FraudDecision>(registry, 'fraud-decision'),
      labels: new ContractSerde<FraudLabel>(registry, 'fraud-label'),
    };
    this.kindOf = new Map<string, Kind>([
      [topics.alerts, 'alerts'],
      [topics.decisions, 'decisions'],
      [topics.labels, 'labels'],
    ]);
  }

  async start(): Promise<void> {
    const { consumer, options } = this;
    await this.checkTopicsExist();
    await this.dlqProducer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.kindOf.keys()], fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      void this.seekToStored(event.payload.memberAssignment).catch((error: unknown) =>
        options.logger.error({ err: error }, 'seek to stored offsets failed'),
      );
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Fails at start naming the missing topics, instead of kafkajs' "does not host this topic-partition". */
  private async checkTopicsExist(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const wanted = [...this.kindOf.keys(), this.options.topics.dlq];
      const missing = wanted.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        throw new Error(
          `topics ${missing.join(', ')} do not exist: create them (CONSOLE_CREATE_TOPICS=true does, for local use) or fix TOPIC_*`,
        );
      }
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
  }

  private async seekToStored(assignment: Record<string, number[]>): Promise<void> {
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const offset = await storedOffset(this.options.db, this.options.groupId, topic, partition);
        if (offset !== undefined) this.consumer.seek({ topic, partition, offset: String(offset) });
      }
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const { db, groupId, logger, topics } = this.options;
    const kind = this.kindOf.get(batch.topic)!;
    const serde = this.serdes[kind];
    await serde.prepare(batch.messages.map((m) => m.value));

    const good: { offset: number; value: FraudAlert | FraudDecision | FraudLabel }[] = [];
    const dead: ReturnType<typeof deadLetterMessage>[] = [];
    for (const message of batch.messages) {
      try {
        const { value } = serde.decodePrepared(message.value);
        if (kind === 'alerts') checkAlert(value as FraudAlert);
        good.push({ offset: Number(message.offset), value });
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        dead.push(
          deadLetterMessage(
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: message.headers,
            },
            error,
          ),
        );
        logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: error.message },
          'record dead-lettered',
        );
      }
    }
    // Dead letters first: if the process dies before the offsets below are stored, the batch is
    // read again and the DLQ may get a record twice; a record is never dropped without trace.
    if (dead.length > 0) {
      await this.dlqProducer.send({ topic: topics.dlq, messages: dead });
      this.deadLettered += dead.length;
    }
    const lastOffset = Number(batch.lastOffset());
    const counts = await db.transaction(async (tx) => {
      const from = (await storedOffset(tx, groupId, batch.topic, batch.partition)) ?? 0;
      const fresh = good.filter((r) => r.offset >= from).map((r) => r.value);
      if (kind === 'alerts') await insertAlerts(tx, fresh as FraudAlert[], Date.now());
      else if (kind === 'decisions') await insertDecisions(tx, fresh as FraudDecision[]);
      else await upsertLabels(tx, fresh as FraudLabel[]);
      if (lastOffset + 1 > from) await storeOffset(tx, groupId, batch.topic, batch.partition, lastOffset + 1);
      return { alerts: 0, decisions: 0, labels: 0, [kind]: fresh.length };
    });
    payload.resolveOffset(batch.lastOffset());
    await payload.heartbeat();
    logger.debug({ topic: batch.topic, partition: batch.partition, lastOffset, ...counts }, 'batch ingested');
    this.options.onIngested?.(counts);
  }
}
