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

/** Channel codes (the schema's documented values); a feature gives their index, NaN for others. */
export const CHANNELS = Object.freeze(['MOBILE_APP', 'WEB', 'AGENT', 'ATM', 'POS', 'API'] as const);

/**
 * Prior fraud risk of a merchant category, 0..1 (a declared table, not learned: categories whose
 * goods resell instantly or move money are where stolen credentials are spent first). Unknown
 * categories give NaN, like an absent one.
 */
export const MERCHANT_CATEGORY_RISK: Readonly<Record<string, number>> = Object.freeze({
  utilities: 0.05,
  grocery: 0.1,
  restaurants: 0.1,
  fuel: 0.15,
  retail: 0.2,
  travel: 0.4,
  electronics: 0.6,
  digital_goods: 0.6,
  money_transfer: 0.7,
  gift_cards: 0.8,
  gambling: 0.8,
  crypto: 0.9,
});

/** "Round" amounts: a whole multiple of this many minor units (1,000.00 in a 2-decimal currency). */
export const ROUND_AMOUNT_MINOR = 100_000;

export const DEFINITION_PARAMETERS = Object.freeze({
  SHORT_BUCKET_MS,
  SHORT_WINDOW_BUCKETS,
  LONG_BUCKET_MS,
  LONG_WINDOW_BUCKETS,
  HISTORY_HORIZON_MS,
  DRAIN_RATIO_CAP,
  CHANNELS,
  MERCHANT_CATEGORY_RISK,
  ROUND_AMOUNT_MINOR,
});
