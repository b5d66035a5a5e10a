/**
 * Definition parameters of the feature set. Every number here changes what a feature means, so all
 * of them feed FEATURE_SET_FINGERPRINT; the Lua script gets them substituted in at load time, so
 * the TypeScript and Redis state updates can never disagree about a window size.
 */

/** The short ("1h") window is kept in 5-minute buckets. */
export const SHORT_BUCKET_MS = 5 * 60_000;
/** 12 buckets of 5 minutes: the 1h window is t's bucket plus the 11 before it. */
export const SHORT_WINDOW_BUCKETS = 12;
/** The long ("24h") window is kept in 1-hour buckets; must be a multiple of SHORT_BUCKET_MS. */
export const LONG_BUCKET_MS = 60 * 60_000;
/** 24 buckets of 1 hour: the 24h window is t's hour plus the 23 before it. */
export const LONG_WINDOW_BUCKETS = 24;
/** Short buckets per long bucket, so the long bucket index derives from the short one. */
export const SHORT_PER_LONG = LONG_BUCKET_MS / SHORT_BUCKET_MS;

/**
 * An account idle for longer than this (event time) starts from an empty history. This makes the
 * features independent of how long a store keeps state (Redis TTL, memory sweeps): any store that
 * keeps state at least this long computes the same values.
 */
export const HISTORY_HORIZON_MS = 24 * 60 * 60_000;

/** amount / origin balance-before explodes for empty balances; capped so the model sees a finite value. */
export const DRAIN_RATIO_CAP = 1000;

export const DEFINITION_PARAMETERS = Object.freeze({
  SHORT_BUCKET_MS,
  SHORT_WINDOW_BUCKETS,
  LONG_BUCKET_MS,
  LONG_WINDOW_BUCKETS,
  HISTORY_HORIZON_MS,
  DRAIN_RATIO_CAP,
});
