import type { Decision, ReasonCode, Thresholds, Transaction } from '@fraud/contracts';
import type { FeatureMatrix, FeatureStore } from '@fraud/features';
import { decide, type DriftReference } from '@fraud/model';
import type { ActiveModel, ModelProvider } from './active-model.ts';

export interface BatchScorerOptions {
  featureStore: FeatureStore;
  models: ModelProvider;
  /** Called when the shadow challenger fails; the batch goes on without challenger scores. */
  onShadowError?: (error: unknown, challengerVersion: string) => void;
}

/**
 * One batch of validated transactions, scored on ONE champion (and challenger): row i of every
 * array is `txs[i]`. The shape is what the model metrics observe per batch.
 */
export interface ScoredBatch {
  /** The batch's point-in-time feature rows, in the champion's input order. */
  features: FeatureMatrix;
  champion: {
    version: string;
    /** The feature-set fingerprint the model was trained on (from its manifest). */
    featureFingerprint: string;
    thresholds: Thresholds;
    scores: Float32Array;
    driftReference?: DriftReference | undefined;
  };
  /** The shadow model's scores beside the champion's, when one ran and did not fail. */
  challenger?: { version: string; thresholds: Thresholds; scores: Float32Array } | undefined;
  /** The champion's decision per row, at the champion's thresholds. */
  decisions: Decision[];
  /** Reason codes per row: empty for ALLOW (only flagged rows are explained). */
  reasonCodes: ReasonCode[][];
  /** Flagged rows that got reason codes. */
  explained: number;
  /** Per stage; `shadow` (challenger inference) and `explain` (TreeSHAP) are beside `score`. */
  stageMs: { features: number; score: number; shadow: number; explain: number };
}

/**
 * The decision path shared by the stream and the synchronous API: features (ONE Redis round trip,
 * idempotent per transaction id), score (ONE onnxruntime call), decide (the model's thresholds),
 * explain (TreeSHAP for flagged rows). The transactions must already be validated; a feature-store
 * failure rejects the whole batch and no result of it may be used (retrying is safe).
 */
export class BatchScorer {
  constructor(private readonly options: BatchScorerOptions) {}

  async score(txs: readonly Transaction[]): Promise<ScoredBatch> {
    const { models } = this.options;
    // The models are read ONCE per batch: a hot swap lands between batches, never inside one.
    const model = models.current();
    const challenger = models.challenger?.();
    const releaseModel = model.retain?.();
    const releaseChallenger = challenger?.retain?.();
    try {
      return await this.scoreWith(model, challenger, txs);
    } finally {
      releaseModel?.();
      releaseChallenger?.();
    }
  }

  private async scoreWith(
    model: ActiveModel,
    challenger: ActiveModel | undefined,
    txs: readonly Transaction[],
  ): Promise<ScoredBatch> {
    let t = performance.now();
    const matrix = await this.options.featureStore.applyBatch(txs);
    const features = performance.now() - t;

    t = performance.now();
    const scores = txs.length > 0 ? await model.score(matrix) : new Float32Array(0);
    const score = performance.now() - t;

    // Shadow scoring on the same matrix; it must never cost the champion its decision.
    t = performance.now();
    let challengerScores: Float32Array | undefined;
    if (challenger && txs.length > 0) {
      try {
        challengerScores = await challenger.score(matrix);
      } catch (error) {
        this.options.onShadowError?.(error, challenger.version);
      }
    }
    const shadow = performance.now() - t;

    let explain = 0;
    let explained = 0;
    const decisions: Decision[] = new Array<Decision>(txs.length);
    const reasonCodes: ReasonCode[][] = new Array<ReasonCode[]>(txs.length);
    for (let row = 0; row < txs.length; row++) {
      const decision = decide(scores[row]!, model.thresholds);
      decisions[row] = decision;
      reasonCodes[row] = [];
      if (decision !== 'ALLOW' && model.explain) {
        // Only flagged rows are explained: TreeSHAP costs far more than a score.
        const started = performance.now();
        reasonCodes[row] = model.explain(matrix, row);
        explain += performance.now() - started;
        explained++;
      }
    }

    return {
      features: matrix,
      champion: {
        version: model.version,
        featureFingerprint: model.featureFingerprint,
        thresholds: model.thresholds,
        scores,
        driftReference: model.driftReference,
      },
      challenger:
        challengerScores && challenger
          ? { version: challenger.version, thresholds: challenger.thresholds, scores: challengerScores }
          : undefined,
      decisions,
      reasonCodes,
      explained,
      stageMs: { features, score, shadow, explain },
    };
  }
}
