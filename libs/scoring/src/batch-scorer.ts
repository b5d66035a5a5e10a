import type { Decision, ReasonCode, Thresholds, Transaction } from '@fraud/contracts';
import type { FeatureMatrix, FeatureStore } from '@fraud/features';
import { decide, type DriftReference } from '@fraud/model';
import { NO_REASONS, type ActiveModel, type ModelProvider } from './active-model.ts';

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
  private flagged = new Int32Array(0);

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

  /** Shadow scoring on the same matrix; it must never cost the champion its decision. */
  private async shadowScores(
    challenger: ActiveModel,
    matrix: FeatureMatrix,
  ): Promise<Float32Array | undefined> {
    try {
      return await challenger.score(matrix);
    } catch (error) {
      this.options.onShadowError?.(error, challenger.version);
      return undefined;
    }
  }

  /**
   * Decisions at the champion's thresholds, and reason codes for the flagged rows (one batched
   * explain call; the others share NO_REASONS). Synchronous from start to end, so the reused
   * flagged-row scratch and the explainer's output arrays are never shared between batches.
   */
  private decideAndExplain(model: ActiveModel, matrix: FeatureMatrix, scores: Float32Array) {
    const rows = scores.length;
    const decisions: Decision[] = new Array<Decision>(rows);
    const reasonCodes: ReasonCode[][] = new Array<ReasonCode[]>(rows);
    let flaggedCount = 0;
    const flagged = this.flaggedRows(rows);
    for (let row = 0; row < rows; row++) {
      const decision = decide(scores[row]!, model.thresholds);
      decisions[row] = decision;
      reasonCodes[row] = NO_REASONS;
      // Only flagged rows are explained: TreeSHAP costs far more than a score.
      if (decision !== 'ALLOW') flagged[flaggedCount++] = row;
    }
    const explained = this.explainFlagged(model, matrix, flagged.subarray(0, flaggedCount), reasonCodes);
    return { decisions, reasonCodes, explained };
  }

  /** The flagged-row index scratch, reused across batches (grown, never shrunk). */
  private flaggedRows(rows: number): Int32Array {
    if (this.flagged.length < rows) this.flagged = new Int32Array(Math.max(rows, this.flagged.length * 2));
    return this.flagged;
  }

  /** Explains all flagged rows in one model call; returns how many rows got reason codes. */
  private explainFlagged(
    model: ActiveModel,
    matrix: FeatureMatrix,
    flagged: Int32Array,
    reasonCodes: ReasonCode[][],
  ): number {
    if (flagged.length === 0) return 0;
    if (model.explainRows) {
      const explained = model.explainRows(matrix, flagged);
      for (let i = 0; i < flagged.length; i++) reasonCodes[flagged[i]!] = explained[i]!;
      return flagged.length;
    }
    if (!model.explain) return 0;
    for (const row of flagged) reasonCodes[row] = model.explain(matrix, row);
    return flagged.length;
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

    t = performance.now();
    const challengerScores =
      challenger && txs.length > 0 ? await this.shadowScores(challenger, matrix) : undefined;
    const shadow = performance.now() - t;

    t = performance.now();
    const { decisions, reasonCodes, explained } = this.decideAndExplain(model, matrix, scores);
    const explain = performance.now() - t;

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
