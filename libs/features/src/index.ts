export {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_OPTIONAL_INPUTS,
  computeFeatures,
  optionalInputsOf,
  writeFeatures,
  writeTransactionFeatures,
  type ExtraViews,
} from './definitions.ts';
export { EntityKind, amountIndexId, entityUpdates, type EntityUpdate } from './entities.ts';
export { FeatureStoreConfigError, FeatureStoreUnavailableError, UnusableTransactionError } from './errors.ts';
export { FEATURE_SET_FINGERPRINT, FEATURE_SET_VERSION } from './fingerprint.ts';
export { createMatrix, featureRow, type FeatureMatrix } from './matrix.ts';
export { MemoryFeatureStore, type MemoryFeatureStoreOptions } from './memory-store.ts';
export { CHANNELS, DEFINITION_PARAMETERS, HISTORY_HORIZON_MS, MERCHANT_CATEGORY_RISK } from './parameters.ts';
export { REDIS_STORE_DEFAULTS, RedisFeatureStore, type RedisFeatureStoreOptions } from './redis-store.ts';
export { createRedisClient, type RedisClientOptions } from './redis-client.ts';
export {
  Role,
  decodeAccountState,
  emptyAccountState,
  encodeAccountState,
  nextState,
  type AccountEvent,
  type AccountState,
} from './state.ts';
export type { FeatureStore } from './store.ts';
export { EMPTY_VIEW, VIEW_FIELDS, decodeView, encodeView, type AccountView } from './view.ts';
export { accountKey, idempotencyKey, indexKey, keySlot, shardOf, shardTag } from './redis/keys.ts';
export { deleteFeatureKeys, featureKeyPattern } from './redis/delete-keys.ts';
