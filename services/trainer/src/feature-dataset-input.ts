import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DatasetError, readFeatureDataset } from '@fraud/datasets';
import { tryReadModelRegistry, type ModelLineage } from '@fraud/model';
import type { Dataset } from './dataset.ts';
import { TrainingDataError } from './errors.ts';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT } from './feature-set.ts';
import { REPO_ROOT } from './python-step.ts';

const execFileAsync = promisify(execFile);

/** What the pipeline needs of a training input when it is a feature dataset (no replay). */
export interface FeatureDatasetInput {
  input: { path: string; format: 'feature-dataset' };
  dataset: Dataset;
  stats: { skipped: number };
  sha256: string;
  lineage: Omit<ModelLineage, 'parent_model' | 'code_commit'>;
}

/**
 * Loads a dataset written by the retrainer's dataset builder (`npm run dataset`): the feature
 * vectors the scorer logged, so the model is fitted on exactly what the live model saw. The
 * dataset must come from this code's feature set (same fingerprint and column order).
 */
export async function loadFeatureDatasetInput(dir: string): Promise<FeatureDatasetInput> {
  let loaded;
  try {
    loaded = await readFeatureDataset(dir);
  } catch (error) {
    if (error instanceof DatasetError) throw new TrainingDataError(error.message, { cause: error });
    throw error;
  }
  const { manifest } = loaded;
  if (manifest.feature_set.fingerprint !== FEATURE_SET_FINGERPRINT) {
    throw new TrainingDataError(
      `${dir}: dataset features come from feature set ${manifest.feature_set.fingerprint}, this trainer's is ${FEATURE_SET_FINGERPRINT}`,
    );
  }
  if (manifest.feature_set.feature_names.join(',') !== FEATURE_NAMES.join(',')) {
    throw new TrainingDataError(`${dir}: dataset feature columns differ from this trainer's feature names`);
  }
  const rows = manifest.rows;
  return {
    input: { path: path.resolve(dir), format: 'feature-dataset' },
    dataset: {
      features: { data: loaded.features, rows, cols: loaded.cols },
      labels: loaded.labels,
      eventTimes: loaded.eventTimes,
      sourceRows: Int32Array.from({ length: rows }, (_, i) => i),
      amountsMinor: amountsFromLoggedFeatures(loaded.features, rows, loaded.cols),
    },
    stats: { skipped: 0 },
    sha256: manifest.files.data.sha256,
    lineage: {
      dataset_id: manifest.dataset_id,
      label_window: {
        from: manifest.time_range.from,
        to: manifest.time_range.to,
        labels_as_of: manifest.labels_as_of,
      },
    },
  };
}

/** Lineage for a model trained now into `modelsDir`: the champion it may replace and the code. */
export async function completeLineage(
  partial: FeatureDatasetInput['lineage'],
  modelsDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ModelLineage> {
  const registry = await tryReadModelRegistry(modelsDir);
  return { ...partial, parent_model: registry?.champion ?? null, code_commit: await codeCommit(env) };
}

/** FRAUD_CODE_COMMIT (set in images, which have no .git), else `git rev-parse HEAD` (+ `-dirty`). */
async function codeCommit(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const fromEnv = env.FRAUD_CODE_COMMIT?.trim();
  if (fromEnv) return fromEnv;
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT });
    const { stdout: status } = await execFileAsync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO_ROOT,
    });
    return `${stdout.trim()}${status.trim() ? '-dirty' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/**
 * The cost model needs each row's amount. A logged vector does not carry the raw amount, but its
 * `amount_log` feature is log1p(amountMinor), so the amount comes back to float32 precision
 * (a relative error near 1e-7, far below what an expected-cost comparison can notice).
 */
function amountsFromLoggedFeatures(features: Float32Array, rows: number, cols: number): Float64Array {
  const column = FEATURE_NAMES.indexOf('amount_log');
  if (column < 0) throw new TrainingDataError('feature set has no amount_log column: cannot recover amounts');
  const amounts = new Float64Array(rows);
  for (let r = 0; r < rows; r++) amounts[r] = Math.round(Math.expm1(features[r * cols + column]!));
  return amounts;
}
