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
import { BatchScorer, type ModelProvider } from '@fraud/scoring';
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

/**
 * The hot path for one chunk of records from one partition: decode (registry ids cached),
 * validate, features (ONE Redis round trip), score (ONE onnxruntime call), decide, encode.
 * It produces nothing itself: the worker sends the result and the offsets atomically.
 * Records that cannot be decoded or are invalid become dead letters and write no state;
 * dependency failures (Redis, registry) reject the whole chunk so it is retried.
 */
export class BatchProcessor {
  private readonly now: () => number;
  private readonly scorer: BatchScorer;

  constructor(private readonly options: BatchProcessorOptions) {
    this.now = options.now ?? Date.now;
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
    const { transactionSerde, decisionSerde, alertSerde } = this.options;
    let t = performance.now();

    await transactionSerde.prepare(messages.map((m) => m.value));
    const good: { tx: Transaction; message: KafkaMessage }[] = [];
    const deadLetters: Message[] = [];
    const deadLettered: DeadLettered[] = [];
    const nowMs = this.now();
    for (const message of messages) {
      try {
        const { value } = transactionSerde.decodePrepared(message.value);
        good.push({ tx: validateTransaction(value, nowMs, this.options.maxFutureSkewMs), message });
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        deadLettered.push({ offset: message.offset, reason: error.reason, error });
        deadLetters.push(
          deadLetterMessage(
            {
              topic,
              partition,
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
    const decode = performance.now() - t;

    // Features, score, shadow, decide and explain: the path the synchronous API shares.
    const batch = await this.scorer.score(good.map((g) => g.tx));
    const { champion: model, challenger } = batch;
    const shadowVersion = challenger ? challenger.version : null;

    t = performance.now();
    const scoredAt = this.now();
    const logFeatures = (this.options.featureLog ?? 'decision') === 'decision';
    const loggedFingerprint = model.featureFingerprint.slice(0, LOGGED_FINGERPRINT_HEX_DIGITS);
    const { data: featureData, cols } = batch.features;
    // avsc writes only a real Array; encode() copies it into the record's bytes at once, so one
    // array per chunk, refilled row by row, serves every decision of the chunk.
    const loggedValues = new Array<number>(cols);
    const decisions: Message[] = [];
    const alerts: Message[] = [];
    const scored: ScoredTransaction[] = [];
    good.forEach(({ tx, message }, row) => {
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
          ? {
              featureSetFingerprint: loggedFingerprint,
              values: copyRow(featureData, row, cols, loggedValues),
            }
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
    });
    const encode = performance.now() - t;
    const stageMs = { decode, ...batch.stageMs, encode };
    if (good.length > 0) {
      this.options.observer?.onChunk({
        features: batch.features,
        champion: model,
        challenger,
        explained: batch.explained,
        stageMs,
      });
    }

    return {
      decisions,
      alerts,
      deadLetters,
      scored,
      deadLettered,
      modelVersion: model.version,
      challengerVersion: shadowVersion ?? undefined,
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
