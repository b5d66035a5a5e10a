import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFeatureDataset, type DatasetManifest } from '@fraud/datasets';
import {
  OnnxScorer,
  appendPromotionLog,
  promoteRegistryVersion,
  writeModelRegistry,
  type LoadedModel,
} from '@fraud/model';
import { buildDataset, type BuildDatasetOptions } from './build-dataset.ts';
import { modelQuality, type ModelQuality } from './model-quality.ts';
import { loadRegistryVersion, readModelRegistry } from './models.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TRAIN_CLI = path.join(REPO_ROOT, 'services/trainer/src/cli/train.ts');

export interface RetrainOptions {
  modelsDir: string;
  /** Build the dataset from Kafka with these options, or use `datasetDir` as is. */
  build?: BuildDatasetOptions;
  datasetDir?: string;
  /** Extra `npm run train` options (hyperparameters, thresholds). */
  trainArgs?: readonly string[];
  /** The most recent share of the dataset (by event time) both models are backtested on. @default 0.15 */
  backtestFraction?: number;
  /** Where the trainer's output goes (its progress and summary). @default inherit */
  trainerOutput?: 'inherit' | 'ignore';
  /**
   * Environment of the trainer process (MLFLOW_TRACKING_URI etc.). @default this process's.
   * When it names an MLflow server, the new model version gets the alias MLFLOW_MODEL_ALIAS
   * (default `challenger`).
   */
  trainerEnv?: NodeJS.ProcessEnv;
  /** Why this retrain runs (a trigger), for the promotion log. */
  reason?: string;
  now?: () => Date;
}

export interface RetrainResult {
  dataset: { id: string; dir: string; manifest: DatasetManifest };
  championVersion: string;
  challengerVersion: string;
  backtest: {
    rows: number;
    frauds: number;
    from: string;
    to: string;
    champion: ModelQuality;
    challenger: ModelQuality;
  };
  timingsMs: { dataset: number; train: number; backtest: number };
}

export class RetrainError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetrainError';
  }
}

/**
 * dataset (logged features + labels) -> train (the trainer's own pipeline: XGBoost, ONNX, parity,
 * thresholds; lineage in the model card) -> backtest against the champion on the same most recent
 * labelled window -> registered as challenger, which the scorers then shadow (hot reload).
 */
export async function retrain(options: RetrainOptions): Promise<RetrainResult> {
  const now = options.now ?? (() => new Date());
  let t = performance.now();
  const lap = (): number => {
    const n = performance.now();
    const ms = Math.round(n - t);
    t = n;
    return ms;
  };
  let datasetDir = options.datasetDir;
  if (!datasetDir) {
    if (!options.build) throw new RetrainError('retrain needs a dataset directory or dataset build options');
    datasetDir = (await buildDataset(options.build)).dir;
  }
  const dataset = await readFeatureDataset(datasetDir);
  const datasetMs = lap();

  const registryBefore = await readModelRegistry(options.modelsDir);
  const championVersion = registryBefore.champion;
  const stamp = now().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const challengerVersion = `${stamp}-${dataset.manifest.dataset_id.slice(3, 11)}`;
  await runTrainer(
    [
      '--data',
      datasetDir,
      '--out',
      options.modelsDir,
      '--version',
      challengerVersion,
      ...(options.trainArgs ?? []),
    ],
    options.trainerOutput ?? 'inherit',
    trainerEnvironment(options.trainerEnv ?? process.env),
  );
  const trainMs = lap();

  const registry = await readModelRegistry(options.modelsDir);
  // Loaded as the scorers will load them: other feature code is refused here, before registering.
  const [champion, challenger] = await Promise.all([
    loadRegistryVersion(options.modelsDir, registry, championVersion),
    loadRegistryVersion(options.modelsDir, registry, challengerVersion),
  ]);
  const rows = dataset.manifest.rows;
  const start = Math.min(rows - 1, Math.floor(rows * (1 - (options.backtestFraction ?? 0.15))));
  const window = {
    data: dataset.features.subarray(start * dataset.cols),
    rows: rows - start,
    cols: dataset.cols,
  };
  const labels = dataset.labels.subarray(start);
  const blockPrecision = champion.manifest.threshold_policy.block_precision_target;
  const quality = async (model: LoadedModel): Promise<ModelQuality> =>
    modelQuality(
      model.manifest.version,
      await scoreWith(model, window),
      labels,
      blockPrecision,
      model.manifest.thresholds.review,
    );
  const backtest = {
    rows: window.rows,
    frauds: labels.reduce((s, y) => s + y, 0),
    from: new Date(dataset.eventTimes[start]!).toISOString(),
    to: new Date(dataset.eventTimes[rows - 1]!).toISOString(),
    champion: await quality(champion),
    challenger: await quality(challenger),
  };
  const backtestMs = lap();

  const at = now();
  await writeModelRegistry(
    options.modelsDir,
    promoteRegistryVersion(registry, challengerVersion, { challenger: true }, at),
  );
  await appendPromotionLog(options.modelsDir, {
    at: at.toISOString(),
    action: 'challenger',
    from: championVersion,
    to: challengerVersion,
    by: 'retrain',
    reason: `dataset ${dataset.manifest.dataset_id}${options.reason ? `; ${options.reason}` : ''}`,
    gate: { backtest },
  });
  return {
    dataset: { id: dataset.manifest.dataset_id, dir: datasetDir, manifest: dataset.manifest },
    championVersion,
    challengerVersion,
    backtest,
    timingsMs: { dataset: datasetMs, train: trainMs, backtest: backtestMs },
  };
}

async function scoreWith(
  model: LoadedModel,
  matrix: { data: Float32Array; rows: number; cols: number },
): Promise<Float32Array> {
  const scorer = await OnnxScorer.create(model.onnxModel, {
    inputName: model.manifest.onnx.input_name,
    outputName: model.manifest.onnx.output_name,
    featureCount: model.manifest.feature_names.length,
  });
  try {
    // Bounded tensors: one session.run per 64K rows.
    const out = new Float32Array(matrix.rows);
    const chunk = 65_536;
    for (let s = 0; s < matrix.rows; s += chunk) {
      const e = Math.min(matrix.rows, s + chunk);
      const part = {
        data: matrix.data.subarray(s * matrix.cols, e * matrix.cols),
        rows: e - s,
        cols: matrix.cols,
      };
      out.set(await scorer.scoreBatch(part), s);
    }
    return out;
  } finally {
    await scorer.close();
  }
}

/** A retrained model is registered in MLflow as the challenger unless told otherwise. */
function trainerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.MLFLOW_TRACKING_URI && !env.MLFLOW_MODEL_ALIAS
    ? { ...env, MLFLOW_MODEL_ALIAS: 'challenger' }
    : env;
}

/** Runs `npm run train` (its CLI, through tsx) as a child process; a failure carries its exit code. */
function runTrainer(
  args: readonly string[],
  output: 'inherit' | 'ignore',
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', TRAIN_CLI, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', output === 'inherit' ? 'inherit' : 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (output === 'inherit') process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new RetrainError(
            `trainer failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}
