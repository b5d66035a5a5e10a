import type { TransactionType } from '@fraud/contracts';
import type { LabeledTransaction } from '@fraud/paysim';
import { MAX_AMOUNT_MINOR, TYPES, TYPE_MIX, drawAmountMinor, fractionOf, roundDown } from './amounts.ts';
import {
  activeCustomer,
  minutes,
  randomAgent,
  randomCustomer,
  randomMerchant,
  type SimContext,
} from './context.ts';
import { CONTACTS_PER_CUSTOMER, FAVOURITE_MERCHANTS } from './population.ts';
import { pickWeighted } from './prng.ts';

/**
 * Chance that a legit outflow takes the whole balance: people do empty their wallets (moving
 * to a bank, paying rent), so "balance went to 0" alone must not mean fraud.
 */
const FULL_BALANCE: Record<TransactionType, number> = {
  PAYMENT: 0.005,
  TRANSFER: 0.05,
  CASH_OUT: 0.04,
  CASH_IN: 0,
  DEBIT: 0,
};
const MIN_PARTIAL_MINOR = 100_00;

function transferDestination(ctx: SimContext, customer: number): number {
  const { prng, population: p } = ctx;
  const roll = prng.next();
  let dest = -1;
  if (roll < 0.6)
    dest = p.contacts[customer * CONTACTS_PER_CUSTOMER + prng.int(0, CONTACTS_PER_CUSTOMER - 1)]!;
  else if (roll < 0.72 && p.collectors.length > 0) dest = p.collectors[prng.int(0, p.collectors.length - 1)]!;
  if (dest < 0 || dest === customer) dest = randomCustomer(ctx);
  return dest === customer ? p.customers[(customer + 1) % p.customers.length]! : dest;
}

function destinationFor(ctx: SimContext, type: TransactionType, customer: number): number {
  const { prng, population: p } = ctx;
  switch (type) {
    case 'PAYMENT':
      return prng.chance(0.7)
        ? p.favourites[customer * FAVOURITE_MERCHANTS + prng.int(0, FAVOURITE_MERCHANTS - 1)]!
        : randomMerchant(ctx);
    case 'TRANSFER':
      return transferDestination(ctx, customer);
    case 'CASH_OUT':
    case 'CASH_IN':
      return prng.chance(0.75) ? p.homeAgent[customer]! : randomAgent(ctx);
    case 'DEBIT':
      return p.banks[prng.int(0, p.banks.length - 1)]!;
  }
}

/** One everyday transaction of `customer`: type from its profile, amount within its means. */
export function legitTransaction(ctx: SimContext, customer: number, timeMs: number): LabeledTransaction {
  const { prng, population: p } = ctx;
  const income = p.income[customer]!;
  let type = TYPES[pickWeighted(TYPE_MIX[p.profile[customer]!]!, prng)]!;
  let amount = drawAmountMinor(type, income, prng);
  const balance = p.balance[customer]!;
  if (type !== 'CASH_IN') {
    if (balance > 0 && prng.chance(FULL_BALANCE[type])) {
      amount = Math.min(balance, MAX_AMOUNT_MINOR);
    } else if (amount > balance) {
      // Short of money: spend part of what is there, or top up with cash instead.
      if (balance >= MIN_PARTIAL_MINOR && prng.chance(0.85))
        amount = fractionOf(balance, prng.uniform(0.3, 0.95));
      else {
        type = 'CASH_IN';
        amount = drawAmountMinor(type, income, prng);
      }
    }
  }
  let dest = destinationFor(ctx, type, customer);
  if (type === 'CASH_IN' && p.balance[dest]! < amount) {
    // The agent hands out e-money from its float; a short agent sends the customer elsewhere
    // and restocks from its bank soon after.
    scheduleFloatTopUp(ctx, dest, timeMs);
    for (let i = 0; i < 3 && p.balance[dest]! < amount; i += 1) dest = randomAgent(ctx);
    if (p.balance[dest]! < amount) {
      scheduleFloatTopUp(ctx, dest, timeMs);
      amount = Math.max(1, p.balance[dest]!);
    }
  }
  return ctx.ledger.post(type, customer, dest, amount, timeMs, false);
}

/**
 * Agents restock e-money from their bank (a CASH_IN by the agent): cash-in is where money enters
 * the system, and without restocking the agents' floats, and then every wallet, would run dry.
 */
function scheduleFloatTopUp(ctx: SimContext, agent: number, timeMs: number): void {
  const p = ctx.population;
  if (p.topUpPending[agent]) return;
  p.topUpPending[agent] = 1;
  const bank = p.banks[ctx.prng.int(0, p.banks.length - 1)]!;
  ctx.queue.push(timeMs + minutes(ctx.prng.uniform(1, 30)), (t) => {
    p.topUpPending[agent] = 0;
    return ctx.ledger.post('CASH_IN', agent, bank, MAX_AMOUNT_MINOR, t, false);
  });
}

/**
 * Legit look-alike of account takeover: a customer sends (nearly) everything to a relative, who
 * cashes it out soon after, often the same amount.
 */
export function scheduleSweep(ctx: SimContext, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const sender = activeCustomer(ctx, startMs);
  const receiver = transferDestination(ctx, sender);
  const drainAll = prng.chance(0.6);
  const share = prng.uniform(0.85, 0.99);
  // Rarely the exact amount: in PaySim no legit cash-out repeats a transfer's amount.
  const sameAmount = prng.chance(0.2);
  const cashOutDelayMs = minutes(prng.uniform(5, 120));
  queue.push(startMs, (timeMs) => {
    const balance = p.balance[sender]!;
    if (balance < MIN_PARTIAL_MINOR) return null;
    const amount = Math.min(drawAll(balance, drainAll, share), MAX_AMOUNT_MINOR);
    queue.push(timeMs + cashOutDelayMs, (t) => {
      const available = p.balance[receiver]!;
      const want = sameAmount ? amount : fractionOf(amount, prng.uniform(0.7, 1));
      const cash = Math.min(want, available);
      if (cash <= 0) return null;
      return ctx.ledger.post('CASH_OUT', receiver, p.homeAgent[receiver]!, cash, t, false);
    });
    return ctx.ledger.post('TRANSFER', sender, receiver, amount, timeMs, false);
  });
}

function drawAll(balance: number, all: boolean, share: number): number {
  return all ? balance : roundDown(fractionOf(balance, share), 100_00);
}

/**
 * Legit look-alike of card testing: a handful of small payments within minutes (transit fares,
 * game top-ups, a market stall visit).
 */
export function scheduleMicroBurst(ctx: SimContext, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const customer = activeCustomer(ctx, startMs);
  const n = prng.int(3, 8);
  const merchants = [randomMerchant(ctx), randomMerchant(ctx)];
  let t = startMs;
  for (let i = 0; i < n; i += 1) {
    const merchant = merchants[prng.chance(0.7) ? 0 : 1]!;
    const amount = Math.max(50, Math.round(prng.logNormal(8, 0.8) * 100));
    queue.push(t, (timeMs) =>
      p.balance[customer]! >= amount
        ? ctx.ledger.post('PAYMENT', customer, merchant, amount, timeMs, false)
        : null,
    );
    t += 5_000 + prng.exponential(40_000);
  }
}

/** The plain everyday actions of one hour, at uniform times within it. */
export function scheduleEverydayTraffic(ctx: SimContext, hourStartMs: number, count: number): void {
  for (let i = 0; i < count; i += 1) {
    const t = hourStartMs + ctx.prng.next() * 3_600_000;
    ctx.queue.push(t, null, activeCustomer(ctx, t));
  }
}
