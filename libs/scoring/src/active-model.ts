import type { FeatureMatrix } from '@fraud/features';
import type { ReasonCode, Thresholds } from '@fraud/contracts';
import type { DriftReference } from '@fraud/model';

/**
 * The model the scorer uses for one batch. The scorer asks its ModelProvider for the current
 * model once per batch, so a provider that swaps models (hot reload, shadow challengers) changes
 * behaviour only between batches.
 */
export interface ActiveModel {
  readonly version: string;
  readonly featureFingerprint: string;
  readonly thresholds: Thresholds;
  /** The training-time distributions drift is measured against; absent for older model directories. */
  readonly driftReference?: DriftReference | undefined;
  /** Fraud probabilities, one per matrix row, in ONE inference call. */
  score(matrix: FeatureMatrix): Promise<Float32Array>;
  /** Reason codes for a flagged row; absent until the model carries an explainer. */
  explain?(matrix: FeatureMatrix, row: number): ReasonCode[];
  /**
   * Reason codes for several rows of one matrix (a chunk's flagged rows) in one call: entry i is
   * the codes of `rows[i]`. Preferred over `explain` when present (no per-row scratch allocation).
   */
  explainRows?(matrix: FeatureMatrix, rows: Int32Array): ReasonCode[][];
  /**
   * Keeps the model open for one batch; call the returned function when the batch is done. A
   * provider that swaps this model out closes it only after its last batch released it.
   */
  retain?(): () => void;
}

export interface ModelProvider {
  current(): ActiveModel;
  /** Optional shadow model scored beside the champion; it never decides. */
  challenger?(): ActiveModel | undefined;
  close?(): Promise<void>;
}

/**
 * The reason codes of every unexplained row: one shared, frozen empty list (an ALLOW row costs no
 * allocation; a consumer that tried to add to it would throw instead of leaking into other rows).
 */
export const NO_REASONS = Object.freeze([]) as unknown as ReasonCode[];
