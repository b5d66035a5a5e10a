import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, Partitioners, logLevel, type Message, type Producer } from 'kafkajs';
import { ContractSerde, valueSubject, type FraudLabel, type Transaction } from '@fraud/contracts';
import { retryThroughOutage } from '@fraud/kafka';
import type { LabeledTransaction } from '@fraud/paysim';
import { KafkaUnreachableError, RegistryUnreachableError } from './errors.ts';

export interface KafkaProduceOptions {
  brokers: string[];
  registryUrl: string;
  topic: string;
  labelsTopic: string;
  source: Iterable<LabeledTransaction> | AsyncIterable<LabeledTransaction>;
  /** Stop after this many transactions (or when the source ends). */
  count: number;
  /** Transactions per second; 0 = as fast as the broker takes them. */
  ratePerSecond: number;
  /** Stop producing transactions after this long (labels still follow). */
  maxSeconds: number;
  /** Each label is produced this long after its transaction. */
  labelsDelayMs: number;
  /**
   * 'now': eventTime = wall clock at send, so the scorer's future-skew and freshness checks see
   * live traffic; 'keep': the source's event times.
   * @default 'now'
   */
  eventTime?: 'now' | 'keep';
  /** Partitions of topics this run creates. @default 6 */
  partitions?: number;
  clientId?: string;
  /**
   * How long a broker outage is ridden out (sends retried with backoff, nothing lost or
   * duplicated: idempotent producer) before the run fails with KafkaOutageError. @default 60
   */
  maxOutageSeconds?: number;
  /** Told about each failed send that will be retried. */
  onSendRetry?: (info: { topic: string; outageMs: number; error: unknown }) => void;
  signal?: AbortSignal;
  onProgress?: (progress: { transactions: number; fraud: number; labels: number }) => void;
}

export interface KafkaProduceSummary {
  transactions: number;
  fraud: number;
  labels: number;
  seconds: number;
  stoppedBy: 'count' | 'source' | 'max-seconds' | 'signal';
}

/** Messages per produce request: large enough for 10K+/s, small enough to pace smoothly. */
const MAX_BATCH = 500;
const LABEL_SOURCE = 'simulator';

interface PendingLabel {
  dueAtMs: number;
  message: Message;
}

function toAsyncIterator<T>(source: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

async function ensureTopics(
  kafka: Kafka,
  brokers: string[],
  topics: string[],
  partitions: number,
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    }
  } catch (error) {
    throw new KafkaUnreachableError(brokers, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Produces transactions (Avro through the registry, key = originAccountId) at a steady rate,
 * and each one's ground-truth FraudLabel (key = transactionId) `labelsDelayMs` later: labels
 * arrive after the scoring, as chargebacks do. Creates missing topics first.
 */
export async function produceToKafka(options: KafkaProduceOptions): Promise<KafkaProduceSummary> {
  const started = Date.now();
  const kafka = new Kafka({
    clientId: options.clientId ?? 'fraud-simulator',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    // Fail in seconds, not minutes, when nothing listens: the CLI should say so and exit.
    retry: { retries: 2, initialRetryTime: 300 },
  });
  await ensureTopics(kafka, options.brokers, [options.topic, options.labelsTopic], options.partitions ?? 6);

  const registry = new SchemaRegistry({ host: options.registryUrl });
  const txSerde = new ContractSerde<Transaction>(registry, 'transaction');
  const labelSerde = new ContractSerde<FraudLabel>(registry, 'fraud-label');
  try {
    await txSerde.registerWriter(valueSubject(options.topic));
    await labelSerde.registerWriter(valueSubject(options.labelsTopic));
  } catch (error) {
    throw new RegistryUnreachableError(options.registryUrl, { cause: error });
  }

  // The DefaultPartitioner is the Java client's murmur2: same key, same partition as other producers.
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
  } catch (error) {
    throw new KafkaUnreachableError(options.brokers, { cause: error });
  }
  try {
    return await pump(producer, txSerde, labelSerde, options, started);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

async function pump(
  producer: Producer,
  txSerde: ContractSerde<Transaction>,
  labelSerde: ContractSerde<FraudLabel>,
  o: KafkaProduceOptions,
  started: number,
): Promise<KafkaProduceSummary> {
  const iterator = toAsyncIterator(o.source);
  const pending: PendingLabel[] = [];
  let pendingHead = 0;
  const totals = { transactions: 0, fraud: 0, labels: 0 };
  let stoppedBy: KafkaProduceSummary['stoppedBy'] = 'count';
  const deadline = started + o.maxSeconds * 1000;

  const dueLabels = (now: number, all: boolean): Message[] => {
    const out: Message[] = [];
    while (pendingHead < pending.length && (all || pending[pendingHead]!.dueAtMs <= now)) {
      out.push(pending[pendingHead]!.message);
      pendingHead += 1;
    }
    if (pendingHead > 10_000 && pendingHead * 2 > pending.length) {
      pending.splice(0, pendingHead); // labels are due in send order: a FIFO, compacted now and then
      pendingHead = 0;
    }
    return out;
  };
  const send = (topic: string, messages: Message[]) =>
    retryThroughOutage(`produce to ${topic}`, () => producer.send({ topic, messages }), {
      maxOutageMs: (o.maxOutageSeconds ?? 60) * 1000,
      signal: o.signal,
      onRetry: ({ outageMs, error }) => o.onSendRetry?.({ topic, outageMs, error }),
    });
  const sendLabels = async (messages: Message[]): Promise<void> => {
    if (messages.length === 0) return;
    await send(o.labelsTopic, messages);
    totals.labels += messages.length;
  };

  const pumpStart = Date.now();
  for (;;) {
    if (totals.transactions >= o.count) break;
    if (o.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    const now = Date.now();
    if (now >= deadline) {
      stoppedBy = 'max-seconds';
      break;
    }
    const allowed =
      o.ratePerSecond > 0
        ? Math.min(o.count, Math.floor(((now - pumpStart) / 1000) * o.ratePerSecond) + 1)
        : o.count;
    const room = Math.min(allowed - totals.transactions, MAX_BATCH);
    if (room <= 0) {
      await sendLabels(dueLabels(now, false));
      const nextAt = pumpStart + ((totals.transactions + 1) / o.ratePerSecond) * 1000;
      await sleep(Math.max(1, Math.min(nextAt - Date.now(), 100)));
      continue;
    }
    const messages: Message[] = [];
    let ended = false;
    for (let i = 0; i < room; i += 1) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      const sentAt = Date.now();
      const tx = o.eventTime === 'keep' ? next.value.tx : { ...next.value.tx, eventTime: sentAt };
      messages.push({ key: tx.originAccountId, value: txSerde.encode(tx) });
      const label: FraudLabel = {
        transactionId: tx.transactionId,
        isFraud: next.value.isFraud,
        source: LABEL_SOURCE,
        labeledAt: sentAt + o.labelsDelayMs,
      };
      pending.push({
        dueAtMs: sentAt + o.labelsDelayMs,
        message: { key: tx.transactionId, value: labelSerde.encode(label) },
      });
      if (next.value.isFraud) totals.fraud += 1;
    }
    if (messages.length > 0) {
      await send(o.topic, messages);
      totals.transactions += messages.length;
    }
    await sendLabels(dueLabels(Date.now(), false));
    o.onProgress?.(totals);
    if (ended) {
      stoppedBy = 'source';
      break;
    }
  }

  // The labels still owed: on schedule, or at once when interrupted.
  while (pendingHead < pending.length) {
    const interrupted = o.signal?.aborted ?? false;
    const wait = pending[pendingHead]!.dueAtMs - Date.now();
    if (wait > 0 && !interrupted) await sleep(Math.min(wait, 100));
    await sendLabels(dueLabels(Date.now(), interrupted));
    o.onProgress?.(totals);
  }
  return { ...totals, seconds: (Date.now() - started) / 1000, stoppedBy };
}
