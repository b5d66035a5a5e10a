import { z } from 'zod';
import { INPUT_FIELDS } from './input-fields.ts';
import { parseModelFileValue } from './schema-file.ts';

/** Bumped on any incompatible change of manifest.json; the loader refuses other versions. */
export const MANIFEST_SCHEMA_VERSION = 1;

export const MODEL_FILES = {
  manifest: 'manifest.json',
  onnx: 'model.onnx',
  xgboostJson: 'model.json',
  report: 'report.md',
} as const;

/** Versions become directory names and registry keys: no path separators, no dot-dot. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const text = z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string');
const share = z.number().min(0).max(1);
const count = z.int().min(0);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
const fileName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a plain file name');
const params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const uniqueNames = z
  .array(text)
  .min(1, 'must be a non-empty array of strings')
  .refine((names) => new Set(names).size === names.length, 'has duplicate names');

const confusionSchema = z.object({ tp: count, fp: count, tn: count, fn: count });
export type ConfusionMatrix = z.infer<typeof confusionSchema>;

const thresholdMetricsSchema = z.object({
  threshold: share,
  precision: share,
  recall: share,
  f1: share,
  /** Share of all rows at or above the threshold. */
  alert_rate: share,
  confusion: confusionSchema,
});
export type ThresholdMetrics = z.infer<typeof thresholdMetricsSchema>;

const splitMetricsSchema = z.object({
  rows: count,
  positives: count,
  pr_auc: share,
  roc_auc: share,
  review: thresholdMetricsSchema,
  block: thresholdMetricsSchema,
  /** Share of rows flagged (REVIEW or BLOCK). */
  alert_rate: share,
});
export type SplitMetrics = z.infer<typeof splitMetricsSchema>;

const splitInfoSchema = z.object({
  rows: count,
  positives: count,
  first_event_time: z.number(),
  last_event_time: z.number(),
});
export type SplitInfo = z.infer<typeof splitInfoSchema>;

const featureImportanceSchema = z.object({
  feature: text,
  gain: z.number(),
  total_gain: z.number(),
  weight: z.number(),
  cover: z.number(),
});
export type FeatureImportance = z.infer<typeof featureImportanceSchema>;

/**
 * used: the data had balances and the model could read them; withheld: blanked on purpose
 * (--without-balances); absent: the data had none.
 */
const balanceUseSchema = z.enum(['used', 'withheld', 'absent']);
export type BalanceUse = z.infer<typeof balanceUseSchema>;

const lineageSchema = z.object({
  dataset_id: text,
  /** Event-time window of the dataset's decisions and the instant its labels were cut at. */
  label_window: z.object({ from: text, to: text, labels_as_of: text }),
  /** The champion when this model was trained (what it was meant to replace). */
  parent_model: text.nullable(),
  /** `git rev-parse HEAD` of the code that trained it (+ `-dirty` with uncommitted changes). */
  code_commit: text,
});
/** A retrained model's model-card lineage. */
export type ModelLineage = z.infer<typeof lineageSchema>;

/**
 * manifest.json of a model directory. Snake case: it is a file format read by Python tools too.
 * Everything the scorer needs to run the model correctly is here: input order, fingerprint of the
 * feature code it was trained on, ONNX tensor names and the decision thresholds.
 */
export const modelManifestSchema = z.object({
  schema_version: z.literal(MANIFEST_SCHEMA_VERSION),
  version: z.string().regex(VERSION_PATTERN, 'must be a version name ([A-Za-z0-9._-], no path separators)'),
  /** ISO 8601 UTC. */
  created: text.refine((s) => !Number.isNaN(Date.parse(s)), 'is not an ISO 8601 date'),
  model_type: z.literal('xgboost-binary-logistic'),
  files: z.object({ onnx: fileName, xgboost_json: fileName, report: fileName }),
  /** Model input columns, in order. */
  feature_names: uniqueNames,
  /**
   * The Transaction fields the model reads (see input-fields.ts); absent in manifests written
   * before it existed, which then count as reading the four balances.
   */
  input_fields: z.array(z.enum(INPUT_FIELDS, 'is not a Transaction field')).optional(),
  feature_set_version: text,
  feature_set_fingerprint: text,
  onnx: z.object({ input_name: text, output_name: text, opset: z.int().min(1), graph: text }),
  thresholds: z
    .object({ review: share, block: share })
    .refine((t) => t.review <= t.block, 'review must not exceed block'),
  threshold_policy: z.object({
    split: z.literal('validation'),
    block_precision_target: share,
    review_recall_target: share,
    notes: z.array(z.string()),
    /**
     * The declared cost model and what it costs on validation. `chosen_by` says whether it set
     * the thresholds ('cost') or only informs the report ('targets'). Absent in older manifests.
     */
    cost_model: z
      .object({
        chosen_by: z.enum(['cost', 'targets']),
        review_cost_minor: z.number(),
        wrong_block_cost_minor: z.number(),
        validation_cost_minor: z.number(),
        validation_allow_all_cost_minor: z.number(),
      })
      .optional(),
  }),
  metrics: z.object({ validation: splitMetricsSchema, test: splitMetricsSchema }),
  parity: z
    .object({ max_abs_diff: z.number().min(0), tolerance: z.number().min(0), rows: count, runtime: text })
    .refine((p) => p.max_abs_diff <= p.tolerance, {
      message: 'exceeds the tolerance',
      path: ['max_abs_diff'],
    }),
  training_data: z.object({
    source: text,
    /** `feature-dataset`: logged feature vectors + labels (the retrainer's datasets). */
    format: z.enum(['paysim-csv', 'jsonl', 'feature-dataset']),
    /** sha256 of the input file's bytes. */
    sha256,
    /** sha256 of the replayed float32 feature matrix and labels the model was fitted on. */
    matrix_sha256: sha256,
    rows: count,
    skipped_rows: count,
    /** Missing in older manifests. */
    balances: balanceUseSchema.optional(),
    positives: count,
    splits: z.object({ train: splitInfoSchema, validation: splitInfoSchema, test: splitInfoSchema }),
  }),
  training: z.object({
    params,
    /** Features blanked in training (the model never splits on them). */
    dropped_features: z.array(text).optional(),
    num_boost_round: count,
    early_stopping_rounds: count,
    best_iteration: count,
    num_trees: z.int().min(1),
    best_validation_pr_auc: z.number(),
  }),
  feature_importance: z.array(featureImportanceSchema),
  /** Backtests of the finished model on other labeled data (e.g. real rows for a simulator-trained model). */
  external_evaluations: z
    .array(
      z.object({
        source: text,
        rows: count,
        positives: count,
        pr_auc: share,
        roc_auc: share,
        balances: balanceUseSchema,
      }),
    )
    .optional(),
  /**
   * Every model the trainer fitted (given parameters, Optuna search, LightGBM), with the
   * validation PR-AUC it was selected on; `selected` marks the exported one. Absent in older manifests.
   */
  candidates: z
    .array(
      z.object({
        name: text,
        algorithm: text,
        validation_pr_auc: z.number(),
        num_trees: count,
        selected: z.boolean(),
        onnx_parity_max_abs_diff: z.number().optional(),
        params,
      }),
    )
    .optional(),
  libraries: z.record(z.string(), text),
  /** Where a retrained model came from; absent for models trained from a transaction file. */
  lineage: lineageSchema.optional(),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/**
 * Validates a parsed manifest.json and returns it typed; throws ManifestValidationError naming
 * the file and the first bad field.
 */
export function validateManifest(value: unknown, file: string = MODEL_FILES.manifest): ModelManifest {
  return parseModelFileValue(modelManifestSchema, value, file);
}
