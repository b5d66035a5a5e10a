import { GENERATED_FEATURE_SET_FINGERPRINT } from './fingerprint.generated.ts';

/**
 * Human label of the feature set: bump it when the meaning of a feature changes (the fingerprint
 * changes on its own with any formula edit, see below). Part of the fingerprint.
 */
export const FEATURE_SET_VERSION = '2.1.0';

/**
 * sha256 over FEATURE_SET_VERSION and the normalised source of every file that defines a feature
 * value: the formulas, parameters, entity/state/view code and the Redis Lua script (the list is
 * FORMULA_SOURCES in scripts/fingerprint-sources.ts). A model manifest records it; the scorer
 * refuses a model trained on another feature set. Committed as a constant (the runtime reads no
 * source files); fingerprint.test.ts recomputes it, so a formula change without regenerating fails
 * the unit tests. Regenerate with `npm run features:fingerprint`, and retrain the committed default
 * model with `npm run model:default` (does both). Store TTLs are deliberately not part of it
 * (HISTORY_HORIZON_MS makes the features independent of them).
 */
export const FEATURE_SET_FINGERPRINT: string = GENERATED_FEATURE_SET_FINGERPRINT;
