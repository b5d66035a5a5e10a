import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { ContractSerde, type FraudDecision, type FraudLabel } from '@fraud/contracts';
import { LabelBook, writeFeatureDataset, type DatasetManifest } from '@fraud/datasets';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT, FEATURE_SET_VERSION } from '@fraud/features';
import { DecisionCollector, addLabel, joinDataset, type JoinOptions } from './dataset-join.ts';
import { readTopicsToEnd, type ReadBounds, type ReadSummary } from './topic-reader.ts';

export interface FeedbackReadOptions {
  kafka: Kafka;
  registry: SchemaRegistry;
  topics: { decisions: string; labels: string };
  /** Decisions with event time in [fromMs, toMs) are kept whole; ids of all are kept. */
  fromMs: number;
  toMs: number;
  bounds?: ReadBounds;
}

export interface FeedbackData {
  decisions: DecisionCollector;
  labels: LabelBook;
  read: ReadSummary;
}

/** Reads the decisions and labels topics (bounded, read_committed) into a collector and a label book. */
export async function readFeedback(options: FeedbackReadOptions): Promise<FeedbackData> {
  const decisionSerde = new ContractSerde<FraudDecision>(options.registry, 'fraud-decision');
  const labelSerde = new ContractSerde<FraudLabel>(options.registry, 'fraud-label');
  const decisions = new DecisionCollector(options.fromMs, options.toMs);
  const labels = new LabelBook();
  const read = await readTopicsToEnd(
    options.kafka,
    [options.topics.decisions, options.topics.labels],
    async (topic, partition, message) => {
      if (topic === options.topics.decisions) {
        decisions.add((await decisionSerde.decode(message.value)).value);
      } else {
        addLabel(labels, (await labelSerde.decode(message.value)).value, partition, message.offset);
      }
    },
    options.bounds,
  );
  return { decisions, labels, read };
}

export interface BuildDatasetOptions extends FeedbackReadOptions {
  outDir: string;
  asOfMs: number;
  maturityMs: number;
  minFrauds: number;
}

export interface BuiltDataset {
  dir: string;
  manifest: DatasetManifest;
  read: ReadSummary;
}

/** Logged features + labels from Kafka -> `<outDir>/<dataset_id>/` (refuses too few frauds). */
export async function buildDataset(options: BuildDatasetOptions): Promise<BuiltDataset> {
  const feedback = await readFeedback(options);
  const joinOptions: JoinOptions = {
    fromMs: options.fromMs,
    toMs: options.toMs,
    asOfMs: options.asOfMs,
    maturityMs: options.maturityMs,
    minFrauds: options.minFrauds,
    featureSet: {
      fingerprint: FEATURE_SET_FINGERPRINT,
      version: String(FEATURE_SET_VERSION),
      featureNames: FEATURE_NAMES,
    },
    topics: options.topics,
  };
  const joined = joinDataset(feedback.decisions, feedback.labels, joinOptions);
  const written = await writeFeatureDataset(options.outDir, joined.rows, joined.audit, joined.description);
  return { ...written, read: feedback.read };
}

/** Labels labelled after `sinceMs` on the labels topic (a retrain trigger input). */
export async function countLabelsSince(
  options: Pick<FeedbackReadOptions, 'kafka' | 'registry' | 'bounds'> & { topic: string; sinceMs: number },
): Promise<number> {
  const serde = new ContractSerde<FraudLabel>(options.registry, 'fraud-label');
  let count = 0;
  await readTopicsToEnd(
    options.kafka,
    [options.topic],
    async (_topic, _partition, message) => {
      if ((await serde.decode(message.value)).value.labeledAt > options.sinceMs) count += 1;
    },
    options.bounds,
  );
  return count;
}
