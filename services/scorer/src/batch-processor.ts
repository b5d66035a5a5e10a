import {
  ContractError,
  validateTransaction,
  type ContractSerde,
  type Decision,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import type { FeatureStore } from '@fraud/features';
import { deadLetterMessage } from '@fraud/kafka';
import { BatchScorer, type ModelProvider, type ScoredBatch } from '@fraud/scoring';
import type { ChunkObserver } from './model-ops/shadow-metrics.ts';
import type { KafkaMessage, Message } from 'kafkajs';

export interface BatchProcessorOptions {
  transactionSerde: ContractSerde<Transaction>;
  decisionSerde: ContractSerde<FraudDecision>;
  alertSerde: ContractSerde<FraudAlert>;
  featureStore: FeatureStore;
  models: ModelProvider;
  maxFutureSkewMs: number;
  /**
   * `decision`: every decision record carries the exact feature vector the model saw (for
   * retraining from logged features); `off`: it carries null. See services/retrainer/README.md.
   * @default 'decision'
   */
  featureLog?: FeatureLogMode;
  now?: () => number;
  /** Model metrics (score histograms, challenger agreement); called once per processed chunk. */
  observer?: ChunkObserver;
  /** Called when the shadow challenger fails; the chunk goes on without challenger scores. */
  onShadowError?: (error: unknown, challengerVersion: string) => void;
}

export type FeatureLogMode = 'decision' | 'off';

/** Hex digits of the feature-set fingerprint logged with each vector (64 bits tell feature sets apart). */
export const LOGGED_FINGERPRINT_HEX_DIGITS = 16;

/** A scored transaction, for metrics and logs. */
export interface ScoredTransaction {
  transactionId: string;
  decision: Decision;
  score: number;
  eventTime: number;
  appendTime: number;
}

export interface DeadLettered {
  offset: string;
  reason: string;
  error: Error;
}

/** Everything one chunk of records produces; the worker commits it in one Kafka transaction. */
export interface ProcessedChunk {
  decisions: Message[];
  alerts: Message[];
  deadLetters: Message[];
  scored: ScoredTransaction[];
  deadLettered: DeadLettered[];
  modelVersion: string;
  /** The shadow model scored beside the champion, when one ran. */
  challengerVersion: string | undefined;
  /** Per stage; `shadow` (challenger inference) and `explain` (TreeSHAP of flagged rows) are extra. */
  stageMs: {
    decode: number;
    features: number;
    score: number;
    encode: number;
    shadow: number;
    explain: number;
  };
}

/** A record that decoded and validated, beside the Kafka message it came in. */
export interface ValidRecord {
  tx: Transaction;
  message: KafkaMessage;
}

/** Step 1's result: the chunk split into valid transactions and dead letters (with reasons). */
export interface DecodedChunk {
  good: ValidRecord[];
  deadLetters: Message[];
  deadLettered: DeadLettered[];
}

/**
 * Step 1, decode + validate (pure once `serde.prepare` has loaded the chunk's schema ids): a
 * record that cannot be decoded or is invalid becomes a dead letter naming the reason and writes
 * no state. Anything that is not a ContractError (a bug, an outage) is rethrown.
 */
export function decodeChunk(
  serde: ContractSerde<Transaction>,
  source: { topic: string; partition: number },
  messages: readonly KafkaMessage[],
  nowMs: number,
  maxFutureSkewMs: number,
): DecodedChunk {
  const good: ValidRecord[] = [];
  const deadLetters: Message[] = [];
  const deadLettered: DeadLettered[] = [];
  for (const message of messages) {
    try {
      const { value } = serde.decodePrepared(message.value);
      good.push({ tx: validateTransaction(value, nowMs, maxFutureSkewMs), message });
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      deadLettered.push({ offset: message.offset, reason: error.reason, error });
      deadLetters.push(
        deadLetterMessage(
          {
            topic: source.topic,
            partition: source.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers,
          },
          error,
        ),
      );
    }
  }
  return { good, deadLetters, deadLettered };
}

export interface EncodeOptions {
  decisionSerde: ContractSerde<FraudDecision>;
  alertSerde: ContractSerde<FraudAlert>;
  /** Whether each decision carries its feature vector. */
  logFeatures: boolean;
  scoredAt: number;
}

/** Step 5's result: the records to produce, and what metrics and logs need per transaction. */
export interface EncodedChunk {
  decisions: Message[];
  alerts: Message[];
  scored: ScoredTransaction[];
}

/**
 * Step 5, encode (pure): one decision per valid record, one alert per flagged one. Row i of
 * `batch` belongs to `good[i]` (steps 2-4, features, score and decide+explain, are BatchScorer's).
 */
export function encodeChunk(
  good: readonly ValidRecord[],
  batch: ScoredBatch,
  options: EncodeOptions,
): EncodedChunk {
  const { decisionSerde, alertSerde, logFeatures, scoredAt } = options;
  const { champion: model, challenger } = batch;
  const shadowVersion = challenger ? challenger.version : null;
  const loggedFingerprint = model.featureFingerprint.slice(0, LOGGED_FINGERPRINT_HEX_DIGITS);
  const { data: featureData, cols } = batch.features;
  // avsc writes only a real Array; encode() copies it into the record's bytes at once, so one
  // array per chunk, refilled row by row, serves every decision of the chunk.
  const loggedValues = new Array<number>(cols);
  const decisions: Message[] = [];
  const alerts: Message[] = [];
  const scored: ScoredTransaction[] = [];
  for (let row = 0; row < good.length; row++) {
    const { tx, message } = good[row]!;
    const probability = model.scores[row]!;
    const decision = batch.decisions[row]!;
    const record: FraudDecision = {
      transactionId: tx.transactionId,
      originAccountId: tx.originAccountId,
      destinationAccountId: tx.destinationAccountId,
      transactionType: tx.type,
      amountMinor: tx.amountMinor,
      currency: tx.currency,
      score: probability,
      decision,
      thresholds: model.thresholds,
      modelVersion: model.version,
      reasonCodes: batch.reasonCodes[row]!,
      eventTime: tx.eventTime,
      scoredAt,
      challengerModelVersion: shadowVersion,
      challengerScore: challenger ? challenger.scores[row]! : null,
      // The float32 row itself (avsc writes floats): what the model saw, bit for bit.
      features: logFeatures
        ? { featureSetFingerprint: loggedFingerprint, values: copyRow(featureData, row, cols, loggedValues) }
        : null,
    };
    decisions.push({ key: tx.transactionId, value: decisionSerde.encode(record) });
    if (decision !== 'ALLOW') {
      const { challengerModelVersion: _v, challengerScore: _s, features: _f, ...alert } = record;
      alerts.push({ key: tx.transactionId, value: alertSerde.encode(alert) });
    }
    scored.push({
      transactionId: tx.transactionId,
      decision,
      score: probability,
      eventTime: tx.eventTime,
      appendTime: Number(message.timestamp),
    });
  }
  return { decisions, alerts, scored };
}

/**
 * The hot path for one chunk of records from one partition, as a thin driver over the steps:
 * decode + validate (registry ids cached), features (ONE Redis round trip), score (ONE
 * onnxruntime call, plus the shadow challenger), decide + explain (flagged rows, one TreeSHAP
 * call), encode. It produces nothing itself: the worker sends the result and the offsets
 * atomically. Dependency failures (Redis, registry) reject the whole chunk so it is retried.
 */
export class BatchProcessor {
  private readonly now: () => number;
  private readonly scorer: BatchScorer;
  private readonly logFeatures: boolean;

  constructor(private readonly options: BatchProcessorOptions) {
    this.now = options.now ?? Date.now;
    this.logFeatures = (options.featureLog ?? 'decision') === 'decision';
    this.scorer = new BatchScorer({
      featureStore: options.featureStore,
      models: options.models,
      onShadowError: options.onShadowError,
    });
  }

  async process(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
  ): Promise<ProcessedChunk> {
    const { transactionSerde, decisionSerde, alertSerde, maxFutureSkewMs } = this.options;
    let t = performance.now();
    await transactionSerde.prepare(messages.map((m) => m.value));
    const decoded = decodeChunk(
      transactionSerde,
      { topic, partition },
      messages,
      this.now(),
      maxFutureSkewMs,
    );
    const decode = performance.now() - t;

    // Features, score, shadow, decide and explain: the path the synchronous API shares.
    const batch = await this.scorer.score(decoded.good.map((g) => g.tx));

    t = performance.now();
    const encoded = encodeChunk(decoded.good, batch, {
      decisionSerde,
      alertSerde,
      logFeatures: this.logFeatures,
      scoredAt: this.now(),
    });
    const encode = performance.now() - t;
    const stageMs = { decode, ...batch.stageMs, encode };
    if (decoded.good.length > 0) {
      this.options.observer?.onChunk({
        features: batch.features,
        champion: batch.champion,
        challenger: batch.challenger,
        explained: batch.explained,
        stageMs,
      });
    }
    return {
      ...encoded,
      deadLetters: decoded.deadLetters,
      deadLettered: decoded.deadLettered,
      modelVersion: batch.champion.version,
      challengerVersion: batch.challenger?.version,
      stageMs,
    };
  }
}

/** Copies row `row` of a row-major float32 matrix into `into` (length `cols`) and returns it. */
function copyRow(data: Float32Array, row: number, cols: number, into: number[]): number[] {
  const offset = row * cols;
  for (let c = 0; c < cols; c++) into[c] = data[offset + c]!;
  return into;
}
