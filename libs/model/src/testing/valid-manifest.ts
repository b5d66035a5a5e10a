import type { ModelManifest } from '../manifest.ts';

// A manifest that passes validateManifest, for tests that change one field at a time.
const at = (threshold: number) => ({
  threshold,
  precision: 0.9,
  recall: 0.8,
  f1: 0.85,
  alert_rate: 0.01,
  confusion: { tp: 8, fp: 1, tn: 989, fn: 2 },
});
const split = {
  rows: 1000,
  positives: 10,
  pr_auc: 0.9,
  roc_auc: 0.99,
  review: at(0.2),
  block: at(0.8),
  alert_rate: 0.01,
};
const info = { rows: 10, positives: 1, first_event_time: 1, last_event_time: 2 };

export function validManifest(): ModelManifest {
  return {
    schema_version: 1,
    version: '20250101-000000-abcdef01',
    created: '2025-01-01T00:00:00.000Z',
    model_type: 'xgboost-binary-logistic',
    files: { onnx: 'model.onnx', xgboost_json: 'model.json', report: 'report.md' },
    feature_names: ['a', 'b'],
    feature_set_version: '1.0.0',
    feature_set_fingerprint: 'f'.repeat(64),
    onnx: { input_name: 'features', output_name: 'probability', opset: 15, graph: 'g' },
    thresholds: { review: 0.2, block: 0.8 },
    threshold_policy: {
      split: 'validation',
      block_precision_target: 0.9,
      review_recall_target: 0.95,
      notes: [],
    },
    metrics: { validation: structuredClone(split), test: structuredClone(split) },
    parity: { max_abs_diff: 1e-7, tolerance: 1e-5, rows: 1000, runtime: 'onnxruntime-node' },
    training_data: {
      source: 'x.csv',
      format: 'paysim-csv',
      sha256: 'a'.repeat(64),
      matrix_sha256: 'b'.repeat(64),
      rows: 30,
      skipped_rows: 0,
      positives: 3,
      splits: { train: { ...info }, validation: { ...info }, test: { ...info } },
    },
    training: {
      params: { max_depth: 4 },
      num_boost_round: 10,
      early_stopping_rounds: 5,
      best_iteration: 3,
      num_trees: 4,
      best_validation_pr_auc: 0.9,
    },
    feature_importance: [],
    libraries: { xgboost: '3.2.0' },
  };
}
