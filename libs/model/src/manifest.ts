import type { Thresholds } from '@fraud/contracts';
import { ManifestValidationError } from './errors.ts';
import { INPUT_FIELDS, type InputField } from './input-fields.ts';

/** Bumped on any incompatible change of manifest.json; the loader refuses other versions. */
export const MANIFEST_SCHEMA_VERSION = 1;

export const MODEL_FILES = {
  manifest: 'manifest.json',
  onnx: 'model.onnx',
  xgboostJson: 'model.json',
  report: 'report.md',
} as const;

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ThresholdMetrics {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of all rows at or above the threshold. */
  alert_rate: number;
  confusion: ConfusionMatrix;
}

export interface SplitMetrics {
  rows: number;
  positives: number;
  pr_auc: number;
  roc_auc: number;
  review: ThresholdMetrics;
  block: ThresholdMetrics;
  /** Share of rows flagged (REVIEW or BLOCK). */
  alert_rate: number;
}

export interface SplitInfo {
  rows: number;
  positives: number;
  first_event_time: number;
  last_event_time: number;
}

export interface FeatureImportance {
  feature: string;
  gain: number;
  total_gain: number;
  weight: number;
  cover: number;
}

/**
 * manifest.json of a model directory. Snake case: it is a file format read by Python tools too.
 * Everything the scorer needs to run the model correctly is here: input order, fingerprint of the
 * feature code it was trained on, ONNX tensor names and the decision thresholds.
 */
export interface ModelManifest {
  schema_version: typeof MANIFEST_SCHEMA_VERSION;
  version: string;
  /** ISO 8601 UTC. */
  created: string;
  model_type: 'xgboost-binary-logistic';
  files: { onnx: string; xgboost_json: string; report: string };
  /** Model input columns, in order. */
  feature_names: string[];
  /**
   * The Transaction fields the model reads (see input-fields.ts); absent in manifests written
   * before it existed, which then count as reading the four balances.
   */
  input_fields?: InputField[];
  feature_set_version: string;
  feature_set_fingerprint: string;
  onnx: { input_name: string; output_name: string; opset: number; graph: string };
  thresholds: Thresholds;
  threshold_policy: {
    split: 'validation';
    block_precision_target: number;
    review_recall_target: number;
    notes: string[];
    /**
     * The declared cost model and what it costs on validation. `chosen_by` says whether it set
     * the thresholds ('cost') or only informs the report ('targets'). Absent in older manifests.
     */
    cost_model?: {
      chosen_by: 'cost' | 'targets';
      review_cost_minor: number;
      wrong_block_cost_minor: number;
      validation_cost_minor: number;
      validation_allow_all_cost_minor: number;
    };
  };
  metrics: { validation: SplitMetrics; test: SplitMetrics };
  parity: { max_abs_diff: number; tolerance: number; rows: number; runtime: string };
  training_data: {
    source: string;
    /** `feature-dataset`: logged feature vectors + labels (the retrainer's datasets). */
    format: 'paysim-csv' | 'jsonl' | 'feature-dataset';
    /** sha256 of the input file's bytes. */
    sha256: string;
    /** sha256 of the replayed float32 feature matrix and labels the model was fitted on. */
    matrix_sha256: string;
    rows: number;
    skipped_rows: number;
    /**
     * used: the data had balances and the model could read them; withheld: blanked on purpose
     * (--without-balances); absent: the data had none. Missing in older manifests.
     */
    balances?: BalanceUse;
    positives: number;
    splits: { train: SplitInfo; validation: SplitInfo; test: SplitInfo };
  };
  training: {
    params: Record<string, string | number | boolean>;
    /** Features blanked in training (the model never splits on them). */
    dropped_features?: string[];
    num_boost_round: number;
    early_stopping_rounds: number;
    best_iteration: number;
    num_trees: number;
    best_validation_pr_auc: number;
  };
  feature_importance: FeatureImportance[];
  /** Backtests of the finished model on other labeled data (e.g. real rows for a simulator-trained model). */
  external_evaluations?: {
    source: string;
    rows: number;
    positives: number;
    pr_auc: number;
    roc_auc: number;
    balances: BalanceUse;
  }[];
  /**
   * Every model the trainer fitted (given parameters, Optuna search, LightGBM), with the
   * validation PR-AUC it was selected on; `selected` marks the exported one. Absent in older manifests.
   */
  candidates?: {
    name: string;
    algorithm: string;
    validation_pr_auc: number;
    num_trees: number;
    selected: boolean;
    onnx_parity_max_abs_diff?: number;
    params: Record<string, string | number | boolean>;
  }[];
  libraries: Record<string, string>;
  /** Where a retrained model came from; absent for models trained from a transaction file. */
  lineage?: ModelLineage;
}

/** A retrained model's model-card lineage. */
export interface ModelLineage {
  dataset_id: string;
  /** Event-time window of the dataset's decisions and the instant its labels were cut at. */
  label_window: { from: string; to: string; labels_as_of: string };
  /** The champion when this model was trained (what it was meant to replace). */
  parent_model: string | null;
  /** `git rev-parse HEAD` of the code that trained it (+ `-dirty` with uncommitted changes). */
  code_commit: string;
}

export type BalanceUse = 'used' | 'withheld' | 'absent';

type Json = unknown;

/** Walks a parsed JSON value with a path, so every error names the exact field. */
class Checker {
  constructor(private readonly file: string) {}

  fail(field: string, problem: string): never {
    throw new ManifestValidationError(this.file, field, problem);
  }

  object(value: Json, field: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, 'must be an object');
    return value as Record<string, Json>;
  }

  string(value: Json, field: string, pattern?: RegExp): string {
    if (typeof value !== 'string' || value === '') this.fail(field, 'must be a non-empty string');
    if (pattern && !pattern.test(value)) this.fail(field, `"${value}" does not match ${String(pattern)}`);
    return value;
  }

  number(value: Json, field: string, min = -Infinity, max = Infinity): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, 'must be a finite number');
    if (value < min || value > max) this.fail(field, `must be in [${min}, ${max}], got ${value}`);
    return value;
  }

  integer(value: Json, field: string, min = 0): number {
    const n = this.number(value, field, min);
    if (!Number.isInteger(n)) this.fail(field, `must be an integer, got ${n}`);
    return n;
  }

  stringArray(value: Json, field: string): string[] {
    if (!Array.isArray(value) || value.length === 0) this.fail(field, 'must be a non-empty array of strings');
    value.forEach((item, i) => this.string(item, `${field}[${i}]`));
    const seen = new Set(value as string[]);
    if (seen.size !== value.length) this.fail(field, 'has duplicate names');
    return value as string[];
  }
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Versions become directory names and registry keys: no path separators, no dot-dot. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkThresholdMetrics(c: Checker, value: Json, field: string): void {
  const m = c.object(value, field);
  c.number(m.threshold, `${field}.threshold`, 0, 1);
  for (const key of ['precision', 'recall', 'f1', 'alert_rate'] as const)
    c.number(m[key], `${field}.${key}`, 0, 1);
  const confusion = c.object(m.confusion, `${field}.confusion`);
  for (const key of ['tp', 'fp', 'tn', 'fn'] as const) c.integer(confusion[key], `${field}.confusion.${key}`);
}

function checkSplitMetrics(c: Checker, value: Json, field: string): void {
  const m = c.object(value, field);
  c.integer(m.rows, `${field}.rows`);
  c.integer(m.positives, `${field}.positives`);
  c.number(m.pr_auc, `${field}.pr_auc`, 0, 1);
  c.number(m.roc_auc, `${field}.roc_auc`, 0, 1);
  c.number(m.alert_rate, `${field}.alert_rate`, 0, 1);
  checkThresholdMetrics(c, m.review, `${field}.review`);
  checkThresholdMetrics(c, m.block, `${field}.block`);
}

/**
 * Validates a parsed manifest.json and returns it typed. Checks every field the scorer relies on
 * and the shape of the rest; throws ManifestValidationError naming the file and the first bad field.
 */
export function validateManifest(value: Json, file: string = MODEL_FILES.manifest): ModelManifest {
  const c = new Checker(file);
  const m = c.object(value, '(root)');
  if (m.schema_version !== MANIFEST_SCHEMA_VERSION) {
    c.fail('schema_version', `must be ${MANIFEST_SCHEMA_VERSION}, got ${JSON.stringify(m.schema_version)}`);
  }
  c.string(m.version, 'version', VERSION_PATTERN);
  const created = c.string(m.created, 'created');
  if (Number.isNaN(Date.parse(created))) c.fail('created', `"${created}" is not an ISO 8601 date`);
  if (m.model_type !== 'xgboost-binary-logistic') c.fail('model_type', 'must be "xgboost-binary-logistic"');
  const files = c.object(m.files, 'files');
  for (const key of ['onnx', 'xgboost_json', 'report'] as const) {
    c.string(files[key], `files.${key}`, /^[A-Za-z0-9._-]+$/);
  }
  c.stringArray(m.feature_names, 'feature_names');
  if (m.input_fields !== undefined) {
    const fields = c.stringArray(m.input_fields, 'input_fields');
    const known = new Set<string>(INPUT_FIELDS);
    fields.forEach((f, i) => {
      if (!known.has(f)) c.fail(`input_fields[${i}]`, `"${f}" is not a Transaction field`);
    });
  }
  c.string(m.feature_set_version, 'feature_set_version');
  c.string(m.feature_set_fingerprint, 'feature_set_fingerprint');
  const onnx = c.object(m.onnx, 'onnx');
  c.string(onnx.input_name, 'onnx.input_name');
  c.string(onnx.output_name, 'onnx.output_name');
  c.integer(onnx.opset, 'onnx.opset', 1);
  c.string(onnx.graph, 'onnx.graph');
  const thresholds = c.object(m.thresholds, 'thresholds');
  const review = c.number(thresholds.review, 'thresholds.review', 0, 1);
  const block = c.number(thresholds.block, 'thresholds.block', 0, 1);
  if (review > block) c.fail('thresholds', `review (${review}) must not exceed block (${block})`);
  const policy = c.object(m.threshold_policy, 'threshold_policy');
  c.number(policy.block_precision_target, 'threshold_policy.block_precision_target', 0, 1);
  c.number(policy.review_recall_target, 'threshold_policy.review_recall_target', 0, 1);
  if (!Array.isArray(policy.notes)) c.fail('threshold_policy.notes', 'must be an array');
  const metrics = c.object(m.metrics, 'metrics');
  checkSplitMetrics(c, metrics.validation, 'metrics.validation');
  checkSplitMetrics(c, metrics.test, 'metrics.test');
  const parity = c.object(m.parity, 'parity');
  const maxAbsDiff = c.number(parity.max_abs_diff, 'parity.max_abs_diff', 0);
  const tolerance = c.number(parity.tolerance, 'parity.tolerance', 0);
  if (maxAbsDiff > tolerance)
    c.fail('parity.max_abs_diff', `${maxAbsDiff} exceeds the tolerance ${tolerance}`);
  c.integer(parity.rows, 'parity.rows');
  const data = c.object(m.training_data, 'training_data');
  c.string(data.sha256, 'training_data.sha256', SHA256);
  c.string(data.matrix_sha256, 'training_data.matrix_sha256', SHA256);
  c.integer(data.rows, 'training_data.rows');
  c.integer(data.positives, 'training_data.positives');
  if (data.balances !== undefined && !['used', 'withheld', 'absent'].includes(data.balances as string)) {
    c.fail('training_data.balances', 'must be "used", "withheld" or "absent"');
  }
  const splits = c.object(data.splits, 'training_data.splits');
  for (const key of ['train', 'validation', 'test'] as const) {
    const s = c.object(splits[key], `training_data.splits.${key}`);
    c.integer(s.rows, `training_data.splits.${key}.rows`);
    c.integer(s.positives, `training_data.splits.${key}.positives`);
  }
  const training = c.object(m.training, 'training');
  c.object(training.params, 'training.params');
  c.integer(training.num_trees, 'training.num_trees', 1);
  if (!Array.isArray(m.feature_importance)) c.fail('feature_importance', 'must be an array');
  if (m.candidates !== undefined && !Array.isArray(m.candidates)) c.fail('candidates', 'must be an array');
  const libraries = c.object(m.libraries, 'libraries');
  for (const [name, version] of Object.entries(libraries)) c.string(version, `libraries.${name}`);
  return value as ModelManifest;
}
