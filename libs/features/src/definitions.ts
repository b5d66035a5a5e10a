/**
 * The feature definitions: pure functions of (transaction, origin's prior view, destination's
 * prior view). The memory store and the Redis store both call writeFeatures, so serving and
 * training cannot drift apart. NaN means "unknown" (XGBoost's missing value), never zero.
 */
import type { Transaction } from '@fraud/contracts';
import { DRAIN_RATIO_CAP } from './parameters.ts';
import type { AccountView } from './view.ts';

/** Model input order. Append-only in spirit: any change needs a FEATURE_SET_VERSION bump. */
export const FEATURE_NAMES: readonly string[] = Object.freeze([
  'amount_log',
  'type_payment',
  'type_transfer',
  'type_cash_out',
  'type_cash_in',
  'type_debit',
  'hour_of_day_utc',
  'orig_amount_to_mean_out',
  'orig_amount_to_max_out',
  'orig_out_count_1h',
  'orig_out_sum_1h_log',
  'orig_out_count_24h',
  'orig_out_sum_24h_log',
  'orig_in_count_1h',
  'orig_in_count_24h',
  'orig_in_sum_24h_log',
  'orig_history_count',
  'orig_secs_since_prev',
  'orig_balance_error',
  'orig_drain_ratio',
  'orig_balance_after_zero',
  'dest_balance_error',
  'dest_unseen',
  'dest_in_count_1h',
  'dest_in_count_24h',
  'dest_in_sum_24h_log',
  'dest_out_count_24h',
  'dest_history_count',
  'dest_secs_since_prev',
  'dest_is_merchant',
  'cashout_amount_gap',
  'cashout_secs_since_in_transfer',
]);

export const FEATURE_COUNT = FEATURE_NAMES.length;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function secondsSince(t: number, view: AccountView): number {
  if (view.outCount + view.inCount === 0) return NaN;
  // Late events can be older than the account's latest one; "no time passed" is the honest floor.
  return Math.max(0, t - view.lastEventTime) / 1000;
}

/**
 * Writes the FEATURE_COUNT features of `tx` into out[offset..]. `origin` and `destination` are
 * the accounts' views aged to tx.eventTime, before tx (for a self-transfer both are the same view).
 */
export function writeFeatures(
  tx: Transaction,
  origin: AccountView,
  destination: AccountView,
  out: Float32Array | Float64Array,
  offset: number,
): void {
  const amt = tx.amountMinor;
  const t = tx.eventTime;
  const ob = tx.originBalanceBeforeMinor;
  const oa = tx.originBalanceAfterMinor;
  const db = tx.destinationBalanceBeforeMinor;
  const da = tx.destinationBalanceAfterMinor;
  let i = offset;
  out[i++] = Math.log1p(amt);
  out[i++] = tx.type === 'PAYMENT' ? 1 : 0;
  out[i++] = tx.type === 'TRANSFER' ? 1 : 0;
  out[i++] = tx.type === 'CASH_OUT' ? 1 : 0;
  out[i++] = tx.type === 'CASH_IN' ? 1 : 0;
  out[i++] = tx.type === 'DEBIT' ? 1 : 0;
  out[i++] = Math.floor((t % DAY_MS) / HOUR_MS);
  // Amount against the origin's own spending: an account takeover spends out of character.
  // Amounts may be 0 (zero-value authorisations): a history of only zero amounts has no scale.
  out[i++] = origin.outSumMinor > 0 ? amt / (origin.outSumMinor / origin.outCount) : NaN;
  out[i++] = origin.outMaxMinor > 0 ? amt / origin.outMaxMinor : NaN;
  // Velocity: card testing is many small payments in the 1h window.
  out[i++] = origin.out1hCount;
  out[i++] = Math.log1p(origin.out1hSumMinor);
  out[i++] = origin.out24hCount;
  out[i++] = Math.log1p(origin.out24hSumMinor);
  // Money coming into the origin: a mule receives, then pays out.
  out[i++] = origin.in1hCount;
  out[i++] = origin.in24hCount;
  out[i++] = Math.log1p(origin.in24hSumMinor);
  out[i++] = origin.outCount + origin.inCount;
  out[i++] = secondsSince(t, origin);
  // Ledger consistency: PaySim-style fraud often leaves balances that do not add up.
  out[i++] = ob !== null && oa !== null ? ob - amt - oa : NaN;
  out[i++] = ob === null ? NaN : Math.min(amt / Math.max(ob, 1), DRAIN_RATIO_CAP);
  out[i++] = oa === null ? NaN : oa === 0 ? 1 : 0;
  out[i++] = db !== null && da !== null ? db + amt - da : NaN;
  // Destination side: first-time payees and fan-in are the mule signals.
  out[i++] = destination.inCount === 0 ? 1 : 0;
  out[i++] = destination.in1hCount;
  out[i++] = destination.in24hCount;
  out[i++] = Math.log1p(destination.in24hSumMinor);
  out[i++] = destination.out24hCount;
  out[i++] = destination.outCount + destination.inCount;
  out[i++] = secondsSince(t, destination);
  // PaySim's convention: merchant accounts start with 'M'; merchants never cash out.
  out[i++] = tx.destinationAccountId.startsWith('M') ? 1 : 0;
  // A cash-out of the amount a transfer just brought in is the classic takeover-to-mule pattern.
  const received = origin.lastInTransferMinor;
  const isCashOutAfterTransfer = tx.type === 'CASH_OUT' && received > 0;
  out[i++] = isCashOutAfterTransfer ? Math.abs(amt - received) / Math.max(amt, received) : NaN;
  out[i++] = isCashOutAfterTransfer ? Math.max(0, t - origin.lastInTransferTime) / 1000 : NaN;
}

/** The features of one transaction, unrounded (stores round to Float32 when they fill a matrix). */
export function computeFeatures(
  tx: Transaction,
  origin: AccountView,
  destination: AccountView,
): Float64Array {
  const out = new Float64Array(FEATURE_COUNT);
  writeFeatures(tx, origin, destination, out, 0);
  return out;
}
