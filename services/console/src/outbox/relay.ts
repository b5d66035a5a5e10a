/**
 * Publishes the outbox (FraudLabels written with verdicts) to Kafka exactly once.
 *
 * Rows are sent in id order inside one Kafka transaction per batch (transactional id
 * CONSOLE_TRANSACTIONAL_ID fences a zombie relay), then marked sent in the database. The only
 * gap is a crash after the Kafka commit and before the mark: every record carries its outbox id
 * and relay name in headers, so at start the relay reads the tail of the topic (read_committed)
 * and marks the rows it finds there as sent before it publishes anything.
 *
 * Several consoles may share one database: only the holder of the leader lock relays (see
 * db/leader-lock.ts); the others stand by and take over when the leader's lock goes.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractSerde, valueSubject, type FraudLabel } from '@fraud/contracts';
import { isProducerFencedError } from '@fraud/kafka';
import type { Db } from '../db/db.ts';
import type { LeaderLock } from '../db/leader-lock.ts';

export const OUTBOX_HEADERS = { id: 'console.outbox.id', relay: 'console.outbox.relay' } as const;

export interface RelayOptions {
  kafka: Kafka;
  registry: SchemaRegistry;
  db: Db;
  /** Shared by every replica's relay, so a new leader's producer fences a stalled old one. */
  transactionalId: string;
  /** Only the holder relays; built with the same database settings as `db`. */
  leaderLock: LeaderLock;
  logger: Logger;
  /** How often a standby replica tries to take the leader lock. @default 5000 */
  standbyPollMs?: number;
  /** Rows per Kafka transaction. @default 100 */
  batchSize?: number;
  /** Idle poll interval; `poke()` wakes the relay at once after a verdict. @default 1000 */
  pollIntervalMs?: number;
  /** Records per partition read back at start to find rows sent but not marked. @default 10000 */
  recoveryTailRecords?: number;
}

interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  payload: string;
}

export class OutboxRelay {
  /** The current leadership term's producer: a new one per term (kafkajs never resets its epoch). */
  private producer: Producer | undefined;
  private readonly serde: ContractSerde<FraudLabel>;
  private readonly registeredTopics = new Set<string>();
  private running = false;
  /** Holds the leader lock, with the producer connected and recovery done. */
  private leading = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  /** Rows published since start. */
  published = 0;

  constructor(private readonly options: RelayOptions) {
    this.serde = new ContractSerde<FraudLabel>(options.registry, 'fraud-label');
  }

  /**
   * Tries once to lead (errors here fail the start, as a misconfigured Kafka should), then keeps
   * relaying, or standing by for the lock, until `stop()`.
   */
  async start(): Promise<void> {
    await this.tryToLead();
    this.running = true;
    this.loop = this.run();
  }

  /** Whether this replica is the one relaying. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Called by the leader lock when its connection drops: another replica may lead now. */
  leadershipLost(error: Error): void {
    if (!this.leading) return;
    this.options.logger.warn({ err: error }, 'outbox relay lost the leader lock: standing by');
    // A batch in flight may still try to commit; the next leader's producer fences it.
    void this.endTerm();
    this.poke();
  }

  private async tryToLead(): Promise<boolean> {
    const lock = this.options.leaderLock;
    // While leading, make sure the lock's connection is still alive (a silently dead one would
    // otherwise leave two replicas relaying until the old one's producer is fenced).
    if (this.leading && (await lock.stillHeld())) return true;
    if (this.leading) this.leadershipLost(new Error('leader lock connection is gone'));
    if (!(await lock.tryAcquire())) return false;
    const { kafka, transactionalId } = this.options;
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    try {
      await producer.connect();
      // kafkajs sends InitProducerId at the first transaction: that fences the previous leader and
      // completes or aborts its open transaction, so the topic tail that recover() reads is final.
      await (await producer.transaction()).abort();
      await this.recover();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    this.leading = true;
    this.options.logger.info({ transactionalId }, 'outbox relay leads');
    return true;
  }

  /** Ends this replica's leadership term: drops the producer; `releaseLock` lets a standby lead. */
  private async endTerm(releaseLock = false): Promise<void> {
    this.leading = false;
    const producer = this.producer;
    this.producer = undefined;
    try {
      await producer?.disconnect().catch(() => undefined);
    } finally {
      if (releaseLock) await this.options.leaderLock.release();
    }
  }

  /** Publish now rather than at the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** Idempotent: stops polling, waits for the batch in flight, disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    await this.endTerm(true);
  }

  /** Publishes one batch; returns the number of rows sent. Exposed for tests. */
  async publishBatch(): Promise<number> {
    const { db, transactionalId, batchSize = 100 } = this.options;
    const producer = this.producer;
    if (!producer) throw new Error('outbox relay is not the leader: no producer to publish with');
    const rows = await db.all<OutboxRow>(
      'SELECT id, topic, message_key, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?',
      [batchSize],
    );
    if (rows.length === 0) return 0;
    for (const topic of new Set(rows.map((r) => r.topic))) {
      if (!this.registeredTopics.has(topic)) {
        await this.serde.registerWriter(valueSubject(topic));
        this.registeredTopics.add(topic);
      }
    }
    const transaction = await producer.transaction();
    try {
      for (const row of rows) {
        await transaction.send({
          topic: row.topic,
          messages: [
            {
              key: row.message_key,
              value: this.serde.encode(JSON.parse(row.payload) as FraudLabel),
              headers: { [OUTBOX_HEADERS.id]: String(row.id), [OUTBOX_HEADERS.relay]: transactionalId },
            },
          ],
        });
      }
      await transaction.commit();
    } catch (error) {
      const aborted = await transaction.abort().then(
        () => true,
        () => false, // the original error matters more
      );
      // Not aborted, and not fenced (run() hands the lock over then): the commit failed at EndTxn
      // or after it. kafkajs then leaves the producer in COMMITTING, where it refuses every later
      // transaction, and the commit may even have landed. End the term (keeping the lock): the
      // next one's InitProducerId completes or aborts the transaction, and recover() marks the
      // rows that reached the topic as sent, so they are not published again.
      if (!aborted && !isProducerFencedError(error)) await this.endTerm();
      throw error;
    }
    await this.markSent(rows.map((r) => r.id));
    this.published += rows.length;
    this.options.logger.info({ rows: rows.length, lastId: rows[rows.length - 1]!.id }, 'outbox published');
    return rows.length;
  }

  private async markSent(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.options.db.run(
      `UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL AND id IN (${ids.map(() => '?').join(', ')})`,
      [Date.now(), ...ids],
    );
  }

  private async run(): Promise<void> {
    const { pollIntervalMs = 1_000, standbyPollMs = 5_000, logger } = this.options;
    let backoffMs = 200;
    while (this.running) {
      let waitMs = pollIntervalMs;
      try {
        if (await this.tryToLead()) {
          const sent = await this.publishBatch();
          backoffMs = 200;
          if (sent > 0) continue;
        } else {
          waitMs = standbyPollMs;
        }
      } catch (error) {
        if (this.leading && isProducerFencedError(error)) {
          // Another replica leads with a newer epoch: hand the lock back rather than retry forever.
          logger.warn({ err: error }, 'outbox relay was fenced by another leader: standing by');
          await this.endTerm(true);
          continue;
        }
        logger.error({ err: error, backoffMs }, 'outbox publish failed: retrying');
        waitMs = backoffMs;
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Marks as sent the unsent rows whose records are already on their topics (crash recovery). */
  private async recover(): Promise<void> {
    const { db, kafka, transactionalId, logger, recoveryTailRecords = 10_000 } = this.options;
    const pending = await db.all<{ id: number; topic: string }>(
      'SELECT id, topic FROM outbox WHERE sent_at IS NULL',
    );
    if (pending.length === 0) return;
    const found: number[] = [];
    for (const topic of new Set(pending.map((p) => p.topic))) {
      const wanted = new Set(pending.filter((p) => p.topic === topic).map((p) => String(p.id)));
      for (const id of await readTailOutboxIds(kafka, topic, transactionalId, recoveryTailRecords)) {
        if (wanted.has(id)) found.push(Number(id));
      }
    }
    await this.markSent(found);
    logger.info({ pending: pending.length, alreadyPublished: found.length }, 'outbox recovered');
  }
}

/** Outbox ids this relay published among the last `tail` committed records of each partition. */
async function readTailOutboxIds(
  kafka: Kafka,
  topic: string,
  relay: string,
  tail: number,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: { partition: number; high: string; low: string }[];
  try {
    offsets = await admin.fetchTopicOffsets(topic);
  } catch {
    return []; // no topic yet: nothing was published
  } finally {
    await admin.disconnect();
  }
  const targets = offsets.filter((o) => Number(o.high) > Number(o.low));
  if (targets.length === 0) return [];
  const ids: string[] = [];
  const consumer = kafka.consumer({ groupId: `${relay}-recovery-${Date.now()}`, readUncommitted: false });
  const remaining = new Map(targets.map((o) => [o.partition, Number(o.high)]));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (m.headers?.[OUTBOX_HEADERS.relay]?.toString() === relay) {
              const id = m.headers[OUTBOX_HEADERS.id]?.toString();
              if (id) ids.push(id);
            }
          }
          // Transaction markers take offsets too: the high watermark is "done".
          const high = remaining.get(batch.partition);
          if (high !== undefined && Number(batch.highWatermark) <= Number(batch.lastOffset()) + 2) {
            remaining.delete(batch.partition);
          }
          if (high !== undefined && Number(batch.lastOffset()) + 1 >= high) remaining.delete(batch.partition);
          if (remaining.size === 0) resolve();
        },
      });
    });
    for (const o of targets) {
      consumer.seek({
        topic,
        partition: o.partition,
        offset: String(Math.max(Number(o.low), Number(o.high) - tail)),
      });
    }
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  } finally {
    await consumer.disconnect();
  }
  return ids;
}
