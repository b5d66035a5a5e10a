import type { ActionQueue } from './action-queue.ts';
import type { Ledger } from './ledger.ts';
import type { Population } from './population.ts';
import { pickWeighted, type Prng } from './prng.ts';
import { PROFILE_ID } from './population.ts';
import { isNight } from './calendar.ts';

/** What legit behaviour and fraud typologies share while one simulation runs. */
export interface SimContext {
  prng: Prng;
  population: Population;
  ledger: Ledger;
  queue: ActionQueue;
}

const MULE = PROFILE_ID.mule;

/** A customer drawn by activity at that time of day (night owls weigh more at night). */
export function activeCustomer(ctx: SimContext, timeMs: number): number {
  const p = ctx.population;
  return p.customers[pickWeighted(isNight(timeMs) ? p.nightActivity : p.dayActivity, ctx.prng)]!;
}

/** A uniformly random non-mule customer. */
export function randomCustomer(ctx: SimContext): number {
  const p = ctx.population;
  for (;;) {
    const c = p.customers[ctx.prng.int(0, p.customers.length - 1)]!;
    if (p.profile[c] !== MULE) return c;
  }
}

/** The richest of `tries` random non-mule customers: fraudsters go where the money is. */
export function richCustomer(ctx: SimContext, tries: number): number {
  let best = randomCustomer(ctx);
  for (let i = 1; i < tries; i += 1) {
    const c = randomCustomer(ctx);
    if (ctx.population.balance[c]! > ctx.population.balance[best]!) best = c;
  }
  return best;
}

export function randomMerchant(ctx: SimContext): number {
  const p = ctx.population;
  return p.merchants[pickWeighted(p.merchantPopularity, ctx.prng)]!;
}

export function randomAgent(ctx: SimContext): number {
  const p = ctx.population;
  return p.agents[ctx.prng.int(0, p.agents.length - 1)]!;
}

export function minutes(n: number): number {
  return n * 60_000;
}
