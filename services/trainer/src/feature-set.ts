// The one place the trainer takes its feature code from: the same library the scorer uses.
export {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  FEATURE_SET_VERSION,
  MemoryFeatureStore,
  optionalInputsOf,
  type FeatureMatrix,
} from '@fraud/features';
