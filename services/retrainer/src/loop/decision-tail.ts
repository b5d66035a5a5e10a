import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, Kafka } from 'kafkajs';
import { ContractSerde, type FraudDecision } from '@fraud/contracts';

/**
 * Follows a decisions topic (read_committed, from the beginning, throwaway group) and counts
 * decisions per deciding model and per shadow model: how the loop sees the scorers switch.
 */
export class DecisionTail {
  readonly byModel = new Map<string, number>();
  readonly byChallenger = new Map<string, number>();
  total = 0;
  /** The first decisions that carry a logged vector (to check it against the model). */
  readonly sample: { modelVersion: string; score: number; values: number[] }[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly registry: SchemaRegistry,
    private readonly topic: string,
    private readonly sampleSize = 1000,
  ) {}

  async start(): Promise<void> {
    const serde = new ContractSerde<FraudDecision>(this.registry, 'fraud-decision');
    const consumer = this.kafka.consumer({
      groupId: `${this.topic}-tail-${process.pid}-${Date.now()}`,
      readUncommitted: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const d = (await serde.decode(message.value)).value;
          this.total += 1;
          if (d.features && this.sample.length < this.sampleSize) {
            this.sample.push({ modelVersion: d.modelVersion, score: d.score, values: d.features.values });
          }
          this.byModel.set(d.modelVersion, (this.byModel.get(d.modelVersion) ?? 0) + 1);
          if (d.challengerModelVersion) {
            this.byChallenger.set(
              d.challengerModelVersion,
              (this.byChallenger.get(d.challengerModelVersion) ?? 0) + 1,
            );
          }
        }
      },
    });
  }

  /** Resolves when `predicate` holds; rejects after `timeoutMs` naming what it waited for. */
  async until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what} (decisions seen: ${this.total}, by model ${JSON.stringify(Object.fromEntries(this.byModel))})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
