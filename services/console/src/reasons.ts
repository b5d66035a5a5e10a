/**
 * Reason codes in words. The scorer explains a flagged transaction with the features that pushed
 * its score most (TreeSHAP, log-odds); an analyst needs "cash-out 20 min after an incoming
 * transfer", not `cashout_secs_since_in_transfer=1200`. One phrase per feature of
 * libs/features FEATURE_NAMES; the unit test checks none is missing.
 */
import { CHANNELS } from '@fraud/features';
import { formatAmount, formatCount, formatDuration } from './format.ts';

type Describe = (value: number, currency: string) => string;

const amountOfLog = (v: number, currency: string) => formatAmount(Math.expm1(v), currency);
const times = (v: number) => `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`;
const count = (v: number, one: string, many: string) => `${formatCount(v)} ${v === 1 ? one : many}`;
const flag = (yes: string, no: string) => (v: number) => (v >= 0.5 ? yes : no);
const typeIs = (name: string) => flag(`the transaction is a ${name}`, `the transaction is not a ${name}`);

export const REASON_PHRASES: Readonly<Record<string, Describe>> = {
  amount_log: (v, c) => `amount of ${amountOfLog(v, c)}`,
  type_payment: typeIs('payment'),
  type_transfer: typeIs('transfer'),
  type_cash_out: typeIs('cash-out'),
  type_cash_in: typeIs('cash-in'),
  type_debit: typeIs('debit'),
  hour_of_day_utc: (v) =>
    `made at ${String(Math.floor(v)).padStart(2, '0')}:00–${String(Math.floor(v)).padStart(2, '0')}:59 UTC`,
  orig_amount_to_mean_out: (v) => `amount is ${times(v)} the sender's average outgoing transaction`,
  orig_amount_to_max_out: (v) => `amount is ${times(v)} the sender's largest earlier outgoing transaction`,
  orig_out_count_1h: (v) =>
    `sender made ${count(v, 'other outgoing transaction', 'other outgoing transactions')} in the hour before`,
  orig_out_sum_1h_log: (v, c) => `sender sent ${amountOfLog(v, c)} in the hour before`,
  orig_out_count_24h: (v) =>
    `sender made ${count(v, 'other outgoing transaction', 'other outgoing transactions')} in the 24 h before`,
  orig_out_sum_24h_log: (v, c) => `sender sent ${amountOfLog(v, c)} in the 24 h before`,
  orig_in_count_1h: (v) => `sender received ${count(v, 'transaction', 'transactions')} in the hour before`,
  orig_in_count_24h: (v) => `sender received ${count(v, 'transaction', 'transactions')} in the 24 h before`,
  orig_in_sum_24h_log: (v, c) => `sender received ${amountOfLog(v, c)} in the 24 h before`,
  orig_history_count: (v) =>
    v === 0
      ? 'first transaction ever seen from the sender'
      : `sender has ${count(v, 'earlier transaction', 'earlier transactions')}`,
  orig_secs_since_prev: (v) => `${formatDuration(v)} since the sender's previous transaction`,
  orig_balance_error: (v, c) =>
    v === 0
      ? "sender's balances add up"
      : `sender's balance before and after differ from the amount by ${formatAmount(Math.abs(v), c)}`,
  orig_drain_ratio: (v) => `moves ${Math.round(100 * v)}% of the sender's balance`,
  orig_balance_after_zero: flag(
    "empties the sender's account (balance after is 0)",
    "leaves money in the sender's account",
  ),
  dest_balance_error: (v, c) =>
    v === 0
      ? "receiver's balances add up"
      : `receiver's balance before and after differ from the amount by ${formatAmount(Math.abs(v), c)}`,
  dest_unseen: flag(
    'receiver has never received money before (new payee)',
    'receiver has received money before',
  ),
  dest_in_count_1h: (v) =>
    `receiver got ${count(v, 'other incoming transaction', 'other incoming transactions')} in the hour before`,
  dest_in_count_24h: (v) =>
    `receiver got ${count(v, 'other incoming transaction', 'other incoming transactions')} in the 24 h before`,
  dest_in_sum_24h_log: (v, c) => `receiver got ${amountOfLog(v, c)} in the 24 h before`,
  dest_out_count_24h: (v) => `receiver sent ${count(v, 'transaction', 'transactions')} in the 24 h before`,
  dest_history_count: (v) =>
    v === 0
      ? 'first transaction ever seen for the receiver'
      : `receiver has ${count(v, 'earlier transaction', 'earlier transactions')}`,
  dest_secs_since_prev: (v) => `${formatDuration(v)} since the receiver's previous transaction`,
  dest_is_merchant: flag('receiver is a merchant', 'receiver is a person, not a merchant'),
  cashout_amount_gap: (v) =>
    v < 0.005
      ? 'cash-out of the same amount an incoming transfer just brought in'
      : `cash-out amount within ${Math.round(100 * v)}% of an incoming transfer's amount`,
  cashout_secs_since_in_transfer: (v) => `cash-out ${formatDuration(v)} after an incoming transfer`,
  amount_whole_units: flag('amount is a whole number (no cents)', 'amount has cents'),
  amount_round: flag('amount is a round number', 'amount is not a round number'),
  orig_in_out_ratio_24h: (v) => `sender received ${times(v)} what they sent in the 24 h before`,
  dest_in_sum_1h_log: (v, c) => `receiver got ${amountOfLog(v, c)} in the hour before`,
  same_amount_transfers_1h: (v) =>
    `${count(v, 'transfer', 'transfers')} of exactly this amount (any account) in the hour before`,
  same_amount_transfers_24h: (v) =>
    `${count(v, 'transfer', 'transfers')} of exactly this amount (any account) in the 24 h before`,
  same_amount_cash_outs_24h: (v) =>
    `${count(v, 'cash-out', 'cash-outs')} of exactly this amount (any account) in the 24 h before`,
  secs_since_same_amount_transfer: (v) => `${formatDuration(v)} after a transfer of exactly this amount`,
  channel_code: (v) => `made through the ${CHANNELS[Math.round(v)] ?? 'unknown'} channel`,
  device_new_for_orig: flag('sender uses a device not seen before', 'sender uses a known device'),
  country_new_for_orig: flag(
    'made from a country not seen before for the sender',
    'made from a usual country',
  ),
  merchant_category_risk: (v) => `merchant category with risk ${v.toFixed(2)}`,
};

/** Features whose missing value has a meaning of its own. */
const MISSING_PHRASES: Readonly<Record<string, string>> = {
  orig_amount_to_mean_out: 'sender has no earlier outgoing transaction to compare the amount with',
  orig_amount_to_max_out: 'sender has no earlier outgoing transaction to compare the amount with',
  orig_secs_since_prev: 'no earlier transaction from the sender',
  dest_secs_since_prev: 'no earlier transaction for the receiver',
  cashout_amount_gap: 'not a cash-out after an incoming transfer',
  cashout_secs_since_in_transfer: 'not a cash-out after an incoming transfer',
  orig_in_out_ratio_24h: 'sender sent nothing in the 24 h before',
  secs_since_same_amount_transfer: 'no recent transfer of exactly this amount',
  channel_code: 'channel not reported',
  device_new_for_orig: 'device not reported',
  country_new_for_orig: 'country not reported',
  merchant_category_risk: 'no merchant category',
};

/** One reason in words; unknown features (a newer model) fall back to the raw name and value. */
export function describeReason(feature: string, value: number | null, currency: string): string {
  if (value === null || Number.isNaN(value)) {
    return MISSING_PHRASES[feature] ?? `${feature.replaceAll('_', ' ')}: unknown (missing)`;
  }
  const phrase = REASON_PHRASES[feature];
  return phrase ? phrase(value, currency) : `${feature.replaceAll('_', ' ')} = ${value.toFixed(3)}`;
}

/** Contribution in log-odds as the analyst reads it. */
export function describeContribution(contribution: number): string {
  const direction = contribution >= 0 ? 'raises' : 'lowers';
  return `${direction} the risk (${contribution >= 0 ? '+' : '−'}${Math.abs(contribution).toFixed(2)} log-odds)`;
}
