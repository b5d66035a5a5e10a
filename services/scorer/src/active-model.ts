import type { FeatureMatrix } from '@fraud/features';
import type { ReasonCode, Thresholds } from '@fraud/contracts';

/**
 * The model the scorer uses for one batch. The scorer asks its ModelProvider for the current
 * model once per batch, so a provider that swaps models (hot reload, shadow challengers) changes
 * behaviour only between batches.
 */
export interface ActiveModel {
  readonly version: string;
  readonly featureFingerprint: string;
  readonly thresholds: Thresholds;
  /** Fraud probabilities, one per matrix row, in ONE inference call. */
  score(matrix: FeatureMatrix): Promise<Float32Array>;
  /** Reason codes for a flagged row; absent until the model carries an explainer. */
  explain?(matrix: FeatureMatrix, row: number): ReasonCode[];
}

export interface ModelProvider {
  current(): ActiveModel;
  /** Optional shadow model scored beside the champion; it never decides. */
  challenger?(): ActiveModel | undefined;
  close?(): Promise<void>;
}
