import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ContractSerde,
  valueSubject,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import { simulate } from '@fraud/simulator';
import { createTopics, freePort, stackSettings, testKafka, uniqueName } from '@fraud/test-support';

// The local registry keeps its schemas in Kafka (Apicurio KafkaSQL): a kill -9 and a restart must
// keep every schema id, so records already in Kafka still decode, and never hand out an old id
// again. The test starts a registry of its own through infra/local/stack.sh (on a free port, with
// a private journal topic on the shared Kafka; Kafka and Redis are the given ones, not started),
// so the shared registry is never touched.
const script = path.resolve(import.meta.dirname, '../infra/local/stack.sh');
const settings = stackSettings();
const stateDir = mkdtempSync(path.join(tmpdir(), 'registry-restart-'));
const journalTopic = uniqueName('registry-journal');
let registryPort = 0;

function stack(command: 'up' | 'down'): void {
  const result = spawnSync('bash', [script, command], {
    env: {
      ...process.env,
      FRAUD_STATE_DIR: stateDir,
      FRAUD_REGISTRY_PORT: String(registryPort),
      FRAUD_REGISTRY_TOPIC: journalTopic,
      KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      REDIS_URL: settings.redisUrl,
      SCHEMA_REGISTRY_URL: '',
    },
    encoding: 'utf8',
    timeout: 170_000,
  });
  if (result.status !== 0) throw new Error(`stack.sh ${command} failed:\n${result.stderr}`);
}

afterAll(async () => {
  stack('down');
  rmSync(stateDir, { recursive: true, force: true });
  const admin = testKafka(settings, 'registry-restart-cleanup').admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [journalTopic, `${journalTopic}-snapshots`] }).catch(() => undefined);
  await admin.disconnect();
}, 60_000);

describe('local schema registry (KafkaSQL storage)', () => {
  it('keeps schema ids across kill -9: records written before still decode, new schemas get new ids', async () => {
    registryPort = await freePort();
    stack('up');
    const url = `http://127.0.0.1:${registryPort}/apis/ccompat/v7`;
    const topic = uniqueName('registry-restart');
    const kafka = testKafka(settings, 'registry-restart');
    await createTopics(kafka, [topic]);

    const before = new ContractSerde<Transaction>(new SchemaRegistry({ host: url }), 'transaction');
    const transactionId = await before.registerWriter(valueSubject(topic));
    const decisionId = await new ContractSerde<FraudDecision>(
      new SchemaRegistry({ host: url }),
      'fraud-decision',
    ).registerWriter(`${topic}.decisions-value`);
    const tx: Transaction = [...simulate({ seed: 3, transactions: 1, idPrefix: `${topic}-` })][0]!.tx;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'C1', value: before.encode(tx) }] });
    await producer.disconnect();

    const pid = Number(readFileSync(path.join(stateDir, 'pids/registry.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
    stack('up'); // what `make up` does after a crash

    // A client with no cache reads the record written before the crash.
    const after = new ContractSerde<Transaction>(new SchemaRegistry({ host: url }), 'transaction');
    const consumer = kafka.consumer({ groupId: uniqueName('registry-restart-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const value = await new Promise<Buffer>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => resolve(await Promise.resolve(message.value!)),
      });
    });
    await consumer.disconnect();
    expect(value.readUInt32BE(1)).toBe(transactionId);
    expect((await after.decode(value)).value).toEqual(tx);

    // Ids were kept, and the next new schema gets an id of its own.
    expect(await after.registerWriter(valueSubject(topic))).toBe(transactionId);
    const alertId = await new ContractSerde<FraudAlert>(
      new SchemaRegistry({ host: url }),
      'fraud-alert',
    ).registerWriter(`${topic}.alerts-value`);
    expect([transactionId, decisionId]).not.toContain(alertId);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
