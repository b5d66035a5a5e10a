import type { TransactionType } from '@fraud/contracts';
import { cumulativeOf, type Prng } from './prng.ts';
import { PROFILES, type Profile } from './population.ts';

export const TYPES: readonly TransactionType[] = ['PAYMENT', 'TRANSFER', 'CASH_OUT', 'CASH_IN', 'DEBIT'];

/**
 * Type mix per profile (weights in TYPES order). Blended over the population (50% standard,
 * 20% cash, 20% shopper, 10% remitter) and after customers short of money top up with cash
 * instead, this lands near PaySim's mix: about 34% PAYMENT, 35% CASH_OUT, 22% CASH_IN,
 * 8% TRANSFER, under 1% DEBIT.
 */
const MIX: Record<Profile, number[]> = {
  standard: [34, 8, 39, 18, 0.65],
  cash: [15, 4, 49, 31, 0.65],
  shopper: [60, 5, 22, 12, 0.65],
  remitter: [20, 25, 34, 20, 0.65],
  collector: [10, 8, 59, 22, 0.65],
  mule: [25, 10, 39, 25, 0.65],
};

export const TYPE_MIX: Float64Array[] = PROFILES.map((p) => cumulativeOf(MIX[p]));

/** Log-normal median and sigma per type, in major units, shaped after PaySim's amounts. */
const AMOUNT: Record<TransactionType, { median: number; sigma: number }> = {
  PAYMENT: { median: 9_500, sigma: 0.95 },
  TRANSFER: { median: 480_000, sigma: 1.0 },
  CASH_OUT: { median: 147_000, sigma: 0.85 },
  // Above PaySim's 143k: here cash-in is the only way money enters the system, and a consistent
  // ledger needs inflows to match the outflows, or wallets run dry and the mix drifts.
  CASH_IN: { median: 230_000, sigma: 0.85 },
  DEBIT: { median: 3_000, sigma: 1.0 },
};

/** PaySim's ceiling on one transaction: larger movements are split into several. */
export const MAX_AMOUNT_MINOR = 10_000_000 * 100;

/**
 * Share of amounts that people type as round numbers (none for card-style payments). Kept near
 * PaySim, where about 1% of legit amounts are whole units (and a third of the frauds): more here
 * would teach a model that whole amounts are innocent.
 */
const ROUND_SHARE: Record<TransactionType, { share: number; unitMinor: number }> = {
  PAYMENT: { share: 0, unitMinor: 1 },
  TRANSFER: { share: 0.03, unitMinor: 1_000_00 },
  CASH_OUT: { share: 0.03, unitMinor: 100_00 },
  CASH_IN: { share: 0.03, unitMinor: 100_00 },
  DEBIT: { share: 0.02, unitMinor: 10_00 },
};

/** Rounds down to a whole `unitMinor` when that leaves something, else keeps the amount. */
export function roundDown(amountMinor: number, unitMinor: number): number {
  const rounded = Math.floor(amountMinor / unitMinor) * unitMinor;
  return rounded > 0 ? rounded : amountMinor;
}

/** A legit amount of `type` for a customer whose income scales the typical amount. */
export function drawAmountMinor(type: TransactionType, income: number, prng: Prng): number {
  const { median, sigma } = AMOUNT[type];
  let minor = Math.max(1, Math.round(prng.logNormal(median * income, sigma) * 100));
  const round = ROUND_SHARE[type];
  if (round.share > 0 && prng.chance(round.share)) minor = roundDown(minor, round.unitMinor);
  return Math.min(minor, MAX_AMOUNT_MINOR);
}

/** A fraction of a balance, kept to whole cents and at least one cent. */
export function fractionOf(balanceMinor: number, fraction: number): number {
  return Math.max(1, Math.floor(balanceMinor * fraction));
}
