/**
 * The feature definitions: pure functions of (transaction, origin's prior view, destination's
 * prior view). The memory store and the Redis store both call writeFeatures, so serving and
 * training cannot drift apart. NaN means "unknown" (XGBoost's missing value), never zero.
 */
import type { Transaction } from '@fraud/contracts';
import { CHANNELS, DRAIN_RATIO_CAP, MERCHANT_CATEGORY_RISK, ROUND_AMOUNT_MINOR } from './parameters.ts';
import { EntityKind, type EntityUpdate } from './entities.ts';
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
  // Feature set 2: signals that need no balances, and the optional fields.
  'amount_whole_units',
  'amount_round',
  'orig_in_out_ratio_24h',
  'dest_in_sum_1h_log',
  'same_amount_transfers_1h',
  'same_amount_transfers_24h',
  'same_amount_cash_outs_24h',
  'secs_since_same_amount_transfer',
  'channel_code',
  'device_new_for_orig',
  'country_new_for_orig',
  'merchant_category_risk',
]);

/** Views of the index entities (see entities.ts); undefined when the entity does not apply. */
export interface ExtraViews {
  amount?: AccountView | undefined;
  device?: AccountView | undefined;
  country?: AccountView | undefined;
}

const NO_EXTRA: ExtraViews = Object.freeze({});

const BALANCE_INPUTS = ['originBalanceBeforeMinor', 'originBalanceAfterMinor'] as const;
const DEST_BALANCE_INPUTS = ['destinationBalanceBeforeMinor', 'destinationBalanceAfterMinor'] as const;

/**
 * The optional (nullable) Transaction fields each feature reads; features not listed read only
 * fields every transaction has. A trainer uses it to record which fields a model needs.
 */
export const FEATURE_OPTIONAL_INPUTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  orig_balance_error: BALANCE_INPUTS,
  orig_drain_ratio: ['originBalanceBeforeMinor'],
  orig_balance_after_zero: ['originBalanceAfterMinor'],
  dest_balance_error: DEST_BALANCE_INPUTS,
  channel_code: ['channel'],
  device_new_for_orig: ['deviceId'],
  country_new_for_orig: ['countryCode'],
  merchant_category_risk: ['merchantCategory'],
});

/** The optional fields a model needs, given the features it actually uses. */
export function optionalInputsOf(usedFeatures: Iterable<string>): string[] {
  const fields = new Set<string>();
  for (const f of usedFeatures) for (const field of FEATURE_OPTIONAL_INPUTS[f] ?? []) fields.add(field);
  return [...fields].sort();
}

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
  extra: ExtraViews = NO_EXTRA,
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
  // Fraudsters move whole (often round) sums; organic spending carries cents.
  out[i++] = amt % 100 === 0 ? 1 : 0;
  out[i++] = amt > 0 && amt % ROUND_AMOUNT_MINOR === 0 ? 1 : 0;
  // A mule passes on what it receives: inflow close to (or above) outflow.
  const outflow = origin.out24hSumMinor + amt;
  out[i++] = outflow > 0 ? origin.in24hSumMinor / outflow : NaN;
  // Fan-in volume: money converging on the destination within the hour.
  out[i++] = Math.log1p(destination.in1hSumMinor);
  // The amount index: transfers (incoming side) and cash-outs (outgoing side) of this exact amount.
  const a = extra.amount;
  out[i++] = a ? a.in1hCount : NaN;
  out[i++] = a ? a.in24hCount : NaN;
  out[i++] = a ? a.out24hCount : NaN;
  out[i++] = a && a.inCount > 0 ? Math.max(0, t - a.lastInTransferTime) / 1000 : NaN;
  const channel = tx.channel === null ? -1 : (CHANNELS as readonly string[]).indexOf(tx.channel);
  out[i++] = channel >= 0 ? channel : NaN;
  // Pair entities: no history for (origin, device) / (origin, country) = first use in the horizon.
  out[i++] = extra.device ? (extra.device.outCount === 0 ? 1 : 0) : NaN;
  out[i++] = extra.country ? (extra.country.outCount === 0 ? 1 : 0) : NaN;
  const category = tx.merchantCategory?.toLowerCase();
  out[i++] =
    category !== undefined && Object.hasOwn(MERCHANT_CATEGORY_RISK, category)
      ? MERCHANT_CATEGORY_RISK[category]!
      : NaN;
}

/**
 * Writes a transaction's features from the views of its entityUpdates(tx), in that order (both
 * stores call this, so the mapping of views to roles exists once).
 */
export function writeTransactionFeatures(
  tx: Transaction,
  updates: readonly EntityUpdate[],
  views: readonly AccountView[],
  out: Float32Array | Float64Array,
  offset: number,
): void {
  const origin = views[0]!;
  // A self-transfer is one account update (role BOTH): both sides see the same prior view.
  const destination = updates[1]?.kind === EntityKind.ACCOUNT ? views[1]! : origin;
  const extra: ExtraViews = {};
  for (let k = 1; k < updates.length; k++) {
    const kind = updates[k]!.kind;
    if (kind === EntityKind.AMOUNT) extra.amount = views[k];
    else if (kind === EntityKind.DEVICE) extra.device = views[k];
    else if (kind === EntityKind.COUNTRY) extra.country = views[k];
  }
  writeFeatures(tx, origin, destination, out, offset, extra);
}

/** The features of one transaction, unrounded (stores round to Float32 when they fill a matrix). */
export function computeFeatures(
  tx: Transaction,
  origin: AccountView,
  destination: AccountView,
  extra: ExtraViews = NO_EXTRA,
): Float64Array {
  const out = new Float64Array(FEATURE_COUNT);
  writeFeatures(tx, origin, destination, out, 0, extra);
  return out;
}
