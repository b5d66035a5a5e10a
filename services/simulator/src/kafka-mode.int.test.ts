import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { ContractSerde, type FraudLabel, type Transaction } from '@fraud/contracts';
import { stackSettings, testKafka, uniqueName } from '@fraud/test-support';
import { KafkaUnreachableError } from './errors.ts';
import { runKafkaMode } from './kafka-mode.ts';
import { simulate } from './simulate.ts';

const COUNT = 300;

/** Reads `expected` records from the start of `topic` and decodes them through the registry. */
async function readBack<T>(
  topic: string,
  serde: ContractSerde<T>,
  expected: number,
): Promise<{ key: string; value: T }[]> {
  const consumer = testKafka(stackSettings(), 'simulator-int').consumer({ groupId: uniqueName('sim-read') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: { key: string; value: T }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${out.length}/${expected} records on ${topic}`)),
        60_000,
      );
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            out.push({ key: message.key!.toString(), value: (await serde.decode(message.value)).value });
          }
          if (out.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

describe('simulate --kafka (runKafkaMode)', () => {
  it('produces simulated transactions and their labels that decode back through the registry', async () => {
    const settings = stackSettings();
    const topic = uniqueName('sim.payments.transactions');
    const labelsTopic = uniqueName('sim.fraud.labels');
    const idPrefix = `${uniqueName('sim')}-`;
    const simulation = { seed: 11, transactions: COUNT, idPrefix };
    const before = Date.now();

    const summary = await runKafkaMode(
      { simulation, topic, labelsTopic, ratePerSecond: 0, count: COUNT, maxSeconds: 60, labelsDelayMs: 200 },
      { KAFKA_BROKERS: settings.kafkaBrokers.join(','), SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl },
    );
    expect(summary).toMatchObject({ transactions: COUNT, labels: COUNT, topic, labelsTopic });

    const expected = [...simulate(simulation)];
    const registry = new SchemaRegistry({ host: settings.schemaRegistryUrl });
    const txs = await readBack(topic, new ContractSerde<Transaction>(registry, 'transaction'), COUNT);
    expect(txs.map((r) => r.value.transactionId).sort()).toEqual(
      expected.map((r) => r.tx.transactionId).sort(),
    );
    for (const { key, value } of txs) {
      expect(key).toBe(value.originAccountId);
      expect(value.eventTime).toBeGreaterThanOrEqual(before); // now-ish, not the simulated calendar
    }
    const byId = new Map(expected.map((r) => [r.tx.transactionId, r]));
    const sample = txs[0]!.value;
    expect({ ...sample, eventTime: 0 }).toEqual({ ...byId.get(sample.transactionId)!.tx, eventTime: 0 });

    const labels = await readBack(labelsTopic, new ContractSerde<FraudLabel>(registry, 'fraud-label'), COUNT);
    for (const { key, value } of labels) {
      expect(key).toBe(value.transactionId);
      expect(value.source).toBe('simulator');
      expect(value.isFraud).toBe(byId.get(value.transactionId)!.isFraud);
    }
    expect(new Set(labels.map((l) => l.value.transactionId)).size).toBe(COUNT);
  });

  it('fails with a clear error when Kafka is unreachable', async () => {
    const error = await runKafkaMode(
      {
        simulation: { seed: 1, transactions: 1 },
        ratePerSecond: 0,
        count: 1,
        maxSeconds: 5,
        labelsDelayMs: 0,
      },
      { KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnreachableError);
    expect(String(error)).toMatch(/Kafka at 127\.0\.0\.1:1 is unreachable/);
  });
});
