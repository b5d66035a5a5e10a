import type { ReasonCode } from '@fraud/contracts';
import type { FeatureMatrix } from '@fraud/features';
import {
  OnnxScorer,
  TreeShapExplainer,
  readDriftReference,
  type DriftReference,
  type LoadedModel,
} from '@fraud/model';
import { NO_REASONS, type ActiveModel } from './active-model.ts';

/** The serving defaults, written once: the scorer's and the API's env defaults are these. */
export const MODEL_SERVING_DEFAULTS = {
  /** Reason codes per flagged transaction. */
  reasonCodesTopK: 3,
  /** Rows of the warm-up batch a new model runs before it is swapped in. */
  warmRows: 512,
} as const;

export interface OnnxActiveModelOptions {
  /**
   * Reason codes per explained row; 0 = no explainer (model.json is not even read).
   * @default 3
   */
  reasonCodesTopK?: number;
}

/**
 * An ONNX model directory as the scorer uses it: ONNX for scores, TreeSHAP over the directory's
 * XGBoost JSON for reason codes. Reference-counted so a hot swap never closes the session under a
 * batch that still holds it.
 */
export class OnnxActiveModel implements ActiveModel {
  private leases = 0;
  private retired = false;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly loaded: LoadedModel,
    private readonly scorer: OnnxScorer,
    private readonly explainer: TreeShapExplainer | undefined,
    private readonly reasonCodesTopK: number,
    readonly driftReference: DriftReference | undefined,
  ) {}

  static async create(loaded: LoadedModel, options: OnnxActiveModelOptions = {}): Promise<OnnxActiveModel> {
    const topK = options.reasonCodesTopK ?? MODEL_SERVING_DEFAULTS.reasonCodesTopK;
    const explainer = topK > 0 ? await TreeShapExplainer.load(loaded.xgboostJsonPath) : undefined;
    if (explainer && explainer.featureCount !== loaded.manifest.feature_names.length) {
      throw new Error(
        `${loaded.xgboostJsonPath}: ${explainer.featureCount} features, the manifest lists ${loaded.manifest.feature_names.length}`,
      );
    }
    const driftReference = await readDriftReference(loaded.directory, loaded.manifest.feature_names);
    return new OnnxActiveModel(loaded, await OnnxScorer.fromModel(loaded), explainer, topK, driftReference);
  }

  get version(): string {
    return this.loaded.manifest.version;
  }

  get featureFingerprint(): string {
    return this.loaded.manifest.feature_set_fingerprint;
  }

  get thresholds() {
    return this.loaded.manifest.thresholds;
  }

  score(matrix: FeatureMatrix): Promise<Float32Array> {
    return this.scorer.scoreBatch(matrix);
  }

  /**
   * Top-k features by TreeSHAP contribution toward fraud (largest first); contributions are in
   * margin (log-odds) units, value null = the feature was missing.
   */
  explain(matrix: FeatureMatrix, row: number): ReasonCode[] {
    if (!this.explainer) return [];
    const names = this.loaded.manifest.feature_names;
    const values = matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols);
    return this.explainer.topContributions(values, this.reasonCodesTopK).map((c) => ({
      feature: names[c.index]!,
      value: Number.isNaN(c.value) ? null : c.value,
      contribution: c.contribution,
    }));
  }

  /**
   * Reason codes of several rows in ONE explainer call (the flagged rows of a chunk): the SHAP
   * values and the top-k selection run in the explainer's reused typed arrays; only the reason
   * codes that go into the records are allocated.
   */
  explainRows(matrix: FeatureMatrix, rows: Int32Array): ReasonCode[][] {
    const out = new Array<ReasonCode[]>(rows.length);
    if (!this.explainer) {
      out.fill(NO_REASONS);
      return out;
    }
    const names = this.loaded.manifest.feature_names;
    const { data, cols } = matrix;
    const { k, feature, contribution } = this.explainer.explainRows(matrix, rows, this.reasonCodesTopK);
    for (let i = 0; i < rows.length; i++) {
      const codes = new Array<ReasonCode>(k);
      const base = rows[i]! * cols;
      for (let j = 0; j < k; j++) {
        const index = feature[i * k + j]!;
        const value = data[base + index]!;
        codes[j] = {
          feature: names[index]!,
          value: Number.isNaN(value) ? null : value,
          contribution: contribution[i * k + j]!,
        };
      }
      out[i] = codes;
    }
    return out;
  }

  /**
   * Runs a batch of `rows` all-missing rows through the session (and explains one) so the first
   * real batch after a swap does not pay for onnxruntime's lazy allocations.
   */
  async warm(rows: number = MODEL_SERVING_DEFAULTS.warmRows): Promise<void> {
    const cols = this.loaded.manifest.feature_names.length;
    const matrix = { data: new Float32Array(rows * cols).fill(Number.NaN), rows, cols };
    await this.score(matrix);
    this.explainRows(matrix, Int32Array.of(0));
  }

  retain(): () => void {
    if (this.closing) throw new Error(`model ${this.version} is closed`);
    this.leases++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leases--;
      if (this.retired && this.leases === 0) void this.close();
    };
  }

  /** Closes the model once no batch holds it any more. */
  retire(): void {
    this.retired = true;
    if (this.leases === 0) void this.close();
  }

  get inUse(): number {
    return this.leases;
  }

  close(): Promise<void> {
    this.closing ??= this.scorer.close();
    return this.closing;
  }
}
