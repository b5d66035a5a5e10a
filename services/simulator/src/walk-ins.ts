/**
 * PaySim's public marginals, for accounts that appear once. In the public PaySim data almost every
 * origin makes exactly one transaction (50,000 rows of the shared file have 50,000 distinct
 * origins), so an origin has no history; destinations repeat (agents, popular payees) but a
 * merchant name appears once. A share of the simulated traffic is such one-shot "walk-in" traffic,
 * drawn from PaySim's type mix and per-type amounts, so a model trained here sees what the real
 * rows look like; the rest is the population's customers with histories, where the richer fraud
 * patterns (takeover, card testing, mule fan-in) live.
 */
import type { TransactionType } from '@fraud/contracts';
import type { LabeledTransaction } from '@fraud/paysim';
import { MAX_AMOUNT_MINOR, TYPES } from './amounts.ts';
import { randomAgent, randomCustomer, type SimContext } from './context.ts';
import { cumulativeOf, pickWeighted, type Prng } from './prng.ts';

/** PaySim's type mix over the full public dataset (6,362,620 rows), in TYPES order. */
export const PAYSIM_TYPE_SHARE: Readonly<Record<TransactionType, number>> = Object.freeze({
  PAYMENT: 0.3381,
  TRANSFER: 0.0838,
  CASH_OUT: 0.3517,
  CASH_IN: 0.2199,
  DEBIT: 0.0065,
});
const TYPE_CUMULATIVE = cumulativeOf(TYPES.map((t) => PAYSIM_TYPE_SHARE[t]));

/**
 * Log-normal amounts per type, major units: medians of the full dataset, spreads fitted to the
 * interquartile range of the shared first 50,000 rows (sigma = ln(q75/q25) / 1.349).
 */
export const PAYSIM_AMOUNT: Readonly<Record<TransactionType, { median: number; sigma: number }>> =
  Object.freeze({
    PAYMENT: { median: 9_480, sigma: 1.0 },
    TRANSFER: { median: 486_000, sigma: 1.22 },
    CASH_OUT: { median: 147_000, sigma: 0.94 },
    CASH_IN: { median: 143_000, sigma: 0.96 },
    DEBIT: { median: 3_050, sigma: 0.93 },
  });

/** Share of walk-in transfers to a payee never seen before. */
const FRESH_PAYEE_SHARE = 0.25;

/** Legit PaySim amounts carry cents: about 1% are whole units (frauds: about 32%). */
const LEGIT_WHOLE_SHARE = 0.01;

export function paysimAmountMinor(type: TransactionType, prng: Prng): number {
  const { median, sigma } = PAYSIM_AMOUNT[type];
  let minor = Math.max(1, Math.round(prng.logNormal(median, sigma) * 100));
  if (prng.chance(LEGIT_WHOLE_SHARE)) minor = Math.max(100, Math.round(minor / 100) * 100);
  return Math.min(minor, MAX_AMOUNT_MINOR);
}

/**
 * The number that stands for a one-shot account in per-account draws: its name's digits
 * (1,000,000,000 and up, so never a population index, and below 2^31).
 */
export function oneShotKey(name: string): number {
  return Number(name.slice(1));
}

/** One legit transaction of a one-shot account, with PaySim's marginals. */
export function walkInTransaction(ctx: SimContext, timeMs: number): LabeledTransaction {
  const { prng, population: p, ledger } = ctx;
  const type = TYPES[pickWeighted(TYPE_CUMULATIVE, prng)]!;
  const amount = paysimAmountMinor(type, prng);
  let destination: number | string;
  switch (type) {
    case 'PAYMENT':
      destination = p.freshName('M'); // PaySim's merchants appear once
      break;
    case 'TRANSFER':
      // A quarter to an account never seen before (PaySim's legit transfers: 21-35% per step of
      // the shared rows), so "new payee" is not fraud's alone, as in the real data.
      destination = prng.chance(FRESH_PAYEE_SHARE) ? p.freshName('C') : randomCustomer(ctx);
      break;
    case 'CASH_OUT':
    case 'CASH_IN':
      destination = randomAgent(ctx);
      break;
    case 'DEBIT':
      destination = p.banks[prng.int(0, p.banks.length - 1)]!;
      break;
  }
  let before: number;
  let after: number;
  if (type === 'CASH_IN') {
    before = Math.round(prng.logNormal(500_000, 1.5) * 100);
    after = before + amount;
  } else {
    // Consistent, unlike PaySim's rows (about half of its legit transfers and cash-outs report 0
    // before and after): the simulator's ledger adds up, and the default model reads no balances.
    before = amount + Math.round(prng.logNormal(20_000, 2) * 100);
    after = before - amount;
  }
  const originName = p.freshName('C');
  return ledger.postOneShot({
    type,
    originName,
    originKey: oneShotKey(originName),
    originBeforeMinor: before,
    originAfterMinor: after,
    destination,
    amountMinor: amount,
    timeMs,
    isFraud: false,
  });
}

/** Schedules `count` walk-in transactions at uniform times within the hour. */
export function scheduleWalkIns(ctx: SimContext, hourStartMs: number, count: number): void {
  for (let i = 0; i < count; i += 1) {
    ctx.queue.push(hourStartMs + ctx.prng.next() * 3_600_000, (t) => walkInTransaction(ctx, t));
  }
}
