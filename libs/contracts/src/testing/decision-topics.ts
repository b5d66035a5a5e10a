import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { createTopics } from '@fraud/test-support';
import type { FraudDecision, FraudLabel } from '../generated/types.generated.ts';
import { ContractSerde } from '../serde.ts';
import { valueSubject } from '../topics.ts';

export interface DecisionLabelTopics {
  topics: { decisions: string; labels: string };
  decisionSerde: ContractSerde<FraudDecision>;
  labelSerde: ContractSerde<FraudLabel>;
  /** Produces the decisions, then the labels, keyed by transaction id (one plain producer). */
  produce: (decisions: readonly FraudDecision[], labels: readonly FraudLabel[]) => Promise<void>;
}

/**
 * Creates `<base>.decisions` and `<base>.labels` on the test broker and registers their value
 * schemas, for tests that feed decisions and labels to a reader (datasets, live quality, model
 * comparison).
 */
export async function createDecisionLabelTopics(
  kafka: Kafka,
  schemaRegistryUrl: string,
  base: string,
  partitions = 2,
): Promise<DecisionLabelTopics> {
  const topics = { decisions: `${base}.decisions`, labels: `${base}.labels` };
  await createTopics(kafka, Object.values(topics), partitions);
  const registry = new SchemaRegistry({ host: schemaRegistryUrl });
  const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
  const labelSerde = new ContractSerde<FraudLabel>(registry, 'fraud-label');
  await decisionSerde.registerWriter(valueSubject(topics.decisions));
  await labelSerde.registerWriter(valueSubject(topics.labels));
  const produce = async (decisions: readonly FraudDecision[], labels: readonly FraudLabel[]) => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: topics.decisions,
        messages: decisions.map((d) => ({ key: d.transactionId, value: decisionSerde.encode(d) })),
      });
      await producer.send({
        topic: topics.labels,
        messages: labels.map((l) => ({ key: l.transactionId, value: labelSerde.encode(l) })),
      });
    } finally {
      await producer.disconnect();
    }
  };
  return { topics, decisionSerde, labelSerde, produce };
}

/** A C1 -> C2 TRANSFER of 1.00 USD, no reasons, no challenger, no logged features: tests set the rest. */
export function testDecision(
  fields: Pick<
    FraudDecision,
    'transactionId' | 'score' | 'decision' | 'thresholds' | 'modelVersion' | 'eventTime' | 'scoredAt'
  > &
    Partial<FraudDecision>,
): FraudDecision {
  return {
    originAccountId: 'C1',
    destinationAccountId: 'C2',
    transactionType: 'TRANSFER',
    amountMinor: 100,
    currency: 'USD',
    reasonCodes: [],
    challengerModelVersion: null,
    challengerScore: null,
    features: null,
    ...fields,
  };
}
