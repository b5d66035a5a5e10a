import { TOPICS } from '@fraud/contracts';
import { readPaysimCsvFile, type LabeledTransaction, type PaysimRowError } from '@fraud/paysim';
import { loadStackSettings } from '@fraud/config';
import { produceToKafka, type KafkaProduceSummary } from './kafka-producer.ts';
import { simulate, type SimulationOptions } from './simulate.ts';

export interface KafkaModeOptions {
  /** Generate with these options, or replay `fromCsv` instead. */
  simulation: SimulationOptions;
  fromCsv?: string;
  /** @default TOPICS.transactions */
  topic?: string;
  /** @default TOPICS.labels */
  labelsTopic?: string;
  ratePerSecond: number;
  count: number;
  maxSeconds: number;
  labelsDelayMs: number;
  /** @default 'now' */
  eventTime?: 'now' | 'keep';
  /** Start time the CSV importer maps step 1 to (with eventTime 'keep'). */
  csvStartTimeMs?: number;
  signal?: AbortSignal;
  /** Seconds a broker outage is ridden out before failing. @default 60 */
  maxOutageSeconds?: number;
  onSendRetry?: (info: { topic: string; outageMs: number; error: unknown }) => void;
  onProgress?: (progress: { transactions: number; fraud: number; labels: number }) => void;
  /** Told about CSV rows the importer skipped (amount 0, malformed). */
  onSkippedRow?: (error: PaysimRowError) => void;
}

export interface KafkaModeSummary extends KafkaProduceSummary {
  topic: string;
  labelsTopic: string;
  skippedRows: number;
}

/** The stack settings this mode needs, from variables or `.local/stack.env` (see withStackEnv). */
export function kafkaSettings(env: NodeJS.ProcessEnv): { brokers: string[]; registryUrl: string } {
  const { kafkaBrokers, schemaRegistryUrl } = loadStackSettings(env, { redis: false });
  return { brokers: kafkaBrokers, registryUrl: schemaRegistryUrl };
}

/** `simulate --kafka`: simulated (or CSV-replayed) transactions and their labels to Kafka. */
export async function runKafkaMode(
  options: KafkaModeOptions,
  env: NodeJS.ProcessEnv,
): Promise<KafkaModeSummary> {
  const { brokers, registryUrl } = kafkaSettings(env);
  let skippedRows = 0;
  const source: Iterable<LabeledTransaction> | AsyncIterable<LabeledTransaction> = options.fromCsv
    ? readPaysimCsvFile(options.fromCsv, {
        startTimeMs: options.csvStartTimeMs,
        idPrefix: options.simulation.idPrefix,
        currency: options.simulation.currency,
        // A replay should not die on the dataset's few unusable rows: skip them and say how many.
        onInvalidRow: (error) => {
          skippedRows += 1;
          options.onSkippedRow?.(error);
        },
      })
    : simulate({ ...options.simulation, transactions: options.count });
  const topic = options.topic ?? TOPICS.transactions;
  const labelsTopic = options.labelsTopic ?? TOPICS.labels;
  const summary = await produceToKafka({
    brokers,
    registryUrl,
    topic,
    labelsTopic,
    source,
    count: options.count,
    ratePerSecond: options.ratePerSecond,
    maxSeconds: options.maxSeconds,
    labelsDelayMs: options.labelsDelayMs,
    eventTime: options.eventTime ?? 'now',
    signal: options.signal,
    maxOutageSeconds: options.maxOutageSeconds,
    onSendRetry: options.onSendRetry,
    onProgress: options.onProgress,
  });
  return { ...summary, topic, labelsTopic, skippedRows };
}
