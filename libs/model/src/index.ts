export {
  FeatureFingerprintMismatchError,
  ManifestValidationError,
  ModelError,
  ModelInputsUnavailableError,
  ModelNotExplainableError,
  ModelNotFoundError,
  ScoringInputError,
  XgboostModelFormatError,
} from './errors.ts';
export {
  MANIFEST_SCHEMA_VERSION,
  MODEL_FILES,
  VERSION_PATTERN,
  validateManifest,
  type BalanceUse,
  type ConfusionMatrix,
  type FeatureImportance,
  type ModelLineage,
  type ModelManifest,
  type SplitInfo,
  type SplitMetrics,
  type ThresholdMetrics,
} from './manifest.ts';
export {
  loadModelDirectory,
  readManifest,
  type LoadModelOptions,
  type LoadedModel,
} from './model-directory.ts';
export {
  REGISTRY_FILE,
  addRegistryVersion,
  promoteRegistryVersion,
  readModelRegistry,
  tryReadModelRegistry,
  validateRegistry,
  writeModelRegistry,
  type ModelRegistry,
  type ModelRegistryEntry,
} from './registry.ts';
export {
  PROMOTION_LOG_FILE,
  appendPromotionLog,
  readPromotionLog,
  rollbackChampion,
  type PromotionLogEntry,
} from './promotion-log.ts';
export {
  ALWAYS_PRESENT_FIELDS,
  BALANCE_FIELDS,
  INPUT_FIELDS,
  OPTIONAL_FIELDS,
  STREAM_FIELDS_HINT,
  checkModelInputs,
  modelInputFields,
  parseStreamFields,
  streamFieldsEnv,
  type InputField,
} from './input-fields.ts';
export { LocalModelSource, type ModelSource } from './model-source.ts';
export { OnnxScorer, type OnnxScorerOptions, type ScoringMatrix } from './onnx-scorer.ts';
export { decide } from './decide.ts';
export {
  TreeShapExplainer,
  type ExplainMatrix,
  type ExplainedRows,
  type FeatureContribution,
} from './tree-shap.ts';
export {
  DRIFT_REFERENCE_FILE,
  DriftMonitor,
  binDistribution,
  binOf,
  buildDriftReference,
  psi,
  readDriftReference,
  type BinnedDistribution,
  type DriftReference,
} from './drift.ts';
