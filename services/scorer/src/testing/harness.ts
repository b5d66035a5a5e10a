/**
 * Integration-test harness for the scorer: unique topics per test, scorer workers as real child
 * processes (so they can be killed with SIGKILL), producing simulated transactions, and reading
 * every output topic with read_committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka, KafkaMessage } from 'kafkajs';
import {
  ContractSerde,
  valueSubject,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import { createTopics, stackSettings, testKafka, uniqueName, type StackSettings } from '@fraud/test-support';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const mainScript = path.join(repoRoot, 'services/scorer/src/main.ts');

export interface ScorerTopics {
  transactions: string;
  decisions: string;
  alerts: string;
  dlq: string;
}

export interface ScorerTestContext {
  settings: StackSettings;
  kafka: Kafka;
  topics: ScorerTopics;
  groupId: string;
  keyPrefix: string;
  registry: SchemaRegistry;
  transactionSerde: ContractSerde<Transaction>;
}

export async function scorerTestContext(name: string, partitions = 3): Promise<ScorerTestContext> {
  const settings = stackSettings();
  const kafka = testKafka(settings, name);
  const base = uniqueName(name);
  const topics: ScorerTopics = {
    transactions: `${base}.transactions`,
    decisions: `${base}.decisions`,
    alerts: `${base}.alerts`,
    dlq: `${base}.dlq`,
  };
  await createTopics(kafka, [topics.transactions, topics.decisions, topics.alerts, topics.dlq], partitions);
  const registry = new SchemaRegistry({ host: settings.schemaRegistryUrl });
  const transactionSerde = new ContractSerde<Transaction>(registry, 'transaction');
  await transactionSerde.registerWriter(valueSubject(topics.transactions));
  return { settings, kafka, topics, groupId: `${base}.group`, keyPrefix: base, registry, transactionSerde };
}

export interface ScorerProcess {
  readonly child: ChildProcess;
  readonly instanceId: string;
  readonly output: string[];
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `services/scorer/src/main.ts` as a child process against the test's topics. */
export function spawnScorer(
  ctx: ScorerTestContext,
  instanceId: string,
  extraEnv: Record<string, string> = {},
): ScorerProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: ctx.settings.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: ctx.settings.schemaRegistryUrl,
    REDIS_URL: ctx.settings.redisUrl,
    REDIS_KEY_PREFIX: ctx.keyPrefix,
    TOPIC_TRANSACTIONS: ctx.topics.transactions,
    TOPIC_DECISIONS: ctx.topics.decisions,
    TOPIC_ALERTS: ctx.topics.alerts,
    TOPIC_DLQ: ctx.topics.dlq,
    SCORER_GROUP_ID: ctx.groupId,
    SCORER_INSTANCE_ID: instanceId,
    SCORER_TRANSACTIONAL_ID_PREFIX: ctx.keyPrefix,
    SCORER_HTTP_PORT: '0',
    SCORER_MAX_BATCH_SIZE: '200',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    env,
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, instanceId, output, exited, kill: (signal) => child.kill(signal) };
}

/** Waits until a scorer logged that it joined its consumer group (or fails with its output). */
export async function waitForLog(scorer: ScorerProcess, message: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (scorer.output.join('').includes(`"msg":"${message}"`)) return;
    if (scorer.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `scorer ${scorer.instanceId} never logged "${message}"; output:\n${scorer.output.join('').slice(-4000)}`,
  );
}

/** Produces transactions (key = origin account) in chunks, non-transactionally, like an upstream system. */
export async function produceTransactions(
  ctx: ScorerTestContext,
  txs: readonly Transaction[],
  chunkSize = 200,
): Promise<void> {
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < txs.length; i += chunkSize) {
      await producer.send({
        topic: ctx.topics.transactions,
        messages: txs
          .slice(i, i + chunkSize)
          .map((tx) => ({ key: tx.originAccountId, value: ctx.transactionSerde.encode(tx) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Produces at a steady rate, `perTick` transactions every `tickMs`, so work is always in flight
 * while a test injects its fault.
 */
export async function producePaced(
  ctx: ScorerTestContext,
  txs: readonly Transaction[],
  perTick: number,
  tickMs: number,
): Promise<void> {
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < txs.length; i += perTick) {
      const tickStart = Date.now();
      await producer.send({
        topic: ctx.topics.transactions,
        messages: txs
          .slice(i, i + perTick)
          .map((tx) => ({ key: tx.originAccountId, value: ctx.transactionSerde.encode(tx) })),
      });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - tickStart))));
    }
  } finally {
    await producer.disconnect();
  }
}

/** How many log lines with this `msg` the scorer has written so far. */
export function countLogLines(scorer: ScorerProcess, message: string): number {
  return scorer.output.join('').split(`"msg":"${message}"`).length - 1;
}

export interface TopicReader<T> {
  readonly records: { message: KafkaMessage; value: T; partition: number }[];
  waitFor(
    predicate: (records: TopicReader<T>['records']) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void>;
  stop(): Promise<void>;
}

/** Reads a topic from the beginning with read_committed, decoding each value with `decode`. */
export async function readTopic<T>(
  ctx: ScorerTestContext,
  topic: string,
  decode: (message: KafkaMessage) => Promise<T> | T,
): Promise<TopicReader<T>> {
  const consumer = ctx.kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: TopicReader<T>['records'] = [];
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      records.push({ message, value: await decode(message), partition });
    },
  });
  return {
    records,
    async waitFor(predicate, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(records)) {
        if (Date.now() > deadline)
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${records.length})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    stop: () => consumer.disconnect(),
  };
}

export function decisionReader(ctx: ScorerTestContext): Promise<TopicReader<FraudDecision>> {
  const serde = new ContractSerde<FraudDecision>(ctx.registry, 'fraud-decision');
  return readTopic(ctx, ctx.topics.decisions, async (m) => (await serde.decode(m.value)).value);
}

export function alertReader(ctx: ScorerTestContext): Promise<TopicReader<FraudAlert>> {
  const serde = new ContractSerde<FraudAlert>(ctx.registry, 'fraud-alert');
  return readTopic(ctx, ctx.topics.alerts, async (m) => (await serde.decode(m.value)).value);
}

/** Counts per transaction id; the exactly-once assertions compare these. */
export function countById(ids: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
