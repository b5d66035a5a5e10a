export type { ActiveModel, ModelProvider } from './active-model.ts';
export { BatchScorer, type BatchScorerOptions, type ScoredBatch } from './batch-scorer.ts';
export { MODEL_SERVING_DEFAULTS, OnnxActiveModel, type OnnxActiveModelOptions } from './onnx-active-model.ts';
export {
  ReloadingModelProvider,
  type ModelProviderMetrics,
  type ModelRole,
  type ReloadingModelProviderOptions,
} from './reloading-model-provider.ts';
