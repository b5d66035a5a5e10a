import * as ort from 'onnxruntime-node';
import { ScoringInputError } from './errors.ts';
import type { LoadedModel } from './model-directory.ts';

/**
 * A row-major float32 batch, NaN = missing. Structurally the same as @fraud/features'
 * FeatureMatrix, declared here so the model library does not depend on the feature library.
 */
export interface ScoringMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface OnnxScorerOptions {
  inputName: string;
  outputName: string;
  /** Number of model input columns; every batch must match it. */
  featureCount: number;
  /**
   * One thread per session: the scorer scales by worker processes, and a second intra-op thread
   * on a 2-core box only fights the event loop.
   * @default 1
   */
  intraOpNumThreads?: number;
}

/** Runs the exported XGBoost graph (TreeEnsembleRegressor + Sigmoid) on whole batches. */
export class OnnxScorer {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly options: Readonly<Required<OnnxScorerOptions>>,
  ) {}

  static async create(model: Uint8Array | string, options: OnnxScorerOptions): Promise<OnnxScorer> {
    const resolved = { intraOpNumThreads: 1, ...options };
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: resolved.intraOpNumThreads,
      interOpNumThreads: 1,
    };
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, sessionOptions)
        : await ort.InferenceSession.create(model, sessionOptions);
    if (!session.inputNames.includes(resolved.inputName)) {
      await session.release();
      throw new ScoringInputError(
        `ONNX model has no input "${resolved.inputName}" (has ${session.inputNames.join(', ')})`,
      );
    }
    if (!session.outputNames.includes(resolved.outputName)) {
      await session.release();
      throw new ScoringInputError(
        `ONNX model has no output "${resolved.outputName}" (has ${session.outputNames.join(', ')})`,
      );
    }
    return new OnnxScorer(session, resolved);
  }

  /** A scorer for a loaded model directory, wired from its manifest. */
  static fromModel(model: LoadedModel, options: { intraOpNumThreads?: number } = {}): Promise<OnnxScorer> {
    return OnnxScorer.create(model.onnxModel, {
      inputName: model.manifest.onnx.input_name,
      outputName: model.manifest.onnx.output_name,
      featureCount: model.manifest.feature_names.length,
      ...options,
    });
  }

  /** Fraud probability per row: ONE session.run for the whole batch. */
  async scoreBatch(matrix: ScoringMatrix): Promise<Float32Array> {
    const { rows, cols } = matrix;
    if (cols !== this.options.featureCount) {
      throw new ScoringInputError(`batch has ${cols} columns, the model takes ${this.options.featureCount}`);
    }
    if (!Number.isInteger(rows) || rows < 0 || matrix.data.length < rows * cols) {
      throw new ScoringInputError(
        `batch data holds ${matrix.data.length} values, ${rows} rows x ${cols} need more`,
      );
    }
    if (rows === 0) return new Float32Array(0);
    const data = matrix.data.length === rows * cols ? matrix.data : matrix.data.subarray(0, rows * cols);
    const input = new ort.Tensor('float32', data, [rows, cols]);
    const result = await this.session.run({ [this.options.inputName]: input }, [this.options.outputName]);
    const output = result[this.options.outputName];
    if (!output || output.type !== 'float32' || output.data.length !== rows) {
      throw new ScoringInputError(
        `ONNX output "${this.options.outputName}" is not one float32 score per row`,
      );
    }
    // Copy out of the tensor: the caller owns the result beyond the tensor's lifetime.
    const scores = new Float32Array(output.data as Float32Array);
    output.dispose();
    return scores;
  }

  /** Releases the native session; a second call awaits the same release. */
  close(): Promise<void> {
    this.closing ??= this.session.release();
    return this.closing;
  }
}
