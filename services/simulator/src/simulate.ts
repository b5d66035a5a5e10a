import {
  DEFAULT_CURRENCY,
  DEFAULT_ID_PREFIX,
  DEFAULT_START_TIME_MS,
  STEP_MS,
  type LabeledTransaction,
} from '@fraud/paysim';
import { ActionQueue } from './action-queue.ts';
import { Calendar } from './calendar.ts';
import type { SimContext } from './context.ts';
import { FraudBudget, startFraudEpisode } from './fraud.ts';
import { Ledger } from './ledger.ts';
import { legitTransaction, scheduleEverydayTraffic, scheduleMicroBurst, scheduleSweep } from './legit.ts';
import { Population, defaultSizes, type PopulationSizes } from './population.ts';
import { Prng } from './prng.ts';
import { scheduleWalkIns } from './walk-ins.ts';

export interface SimulationOptions {
  /** Same seed (and options) -> the same transactions, byte for byte. */
  seed: number;
  /** Exactly this many transactions are produced. */
  transactions: number;
  /** Event time of the start of the first hour (step 1). @default 2025-01-01T00:00:00Z */
  startTimeMs?: number;
  /** Simulated span; the volume is spread over it with daily and weekly cycles. @default 30 */
  days?: number;
  /** Target share of fraudulent transactions. @default 0.0015 */
  fraudRate?: number;
  /** Customers in the population. @default transactions / 25 (at least 200) */
  customers?: number;
  /** @default 'USD' */
  currency?: string;
  /** transactionId = idPrefix + 0-based index. @default 'ps-' (the PaySim importer's rule) */
  idPrefix?: string;
}

export type CompiledSimulationOptions = Readonly<Required<Omit<SimulationOptions, 'customers'>>> & {
  readonly sizes: PopulationSizes;
};

/** An option that cannot run; names the option. */
export class SimulationOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'SimulationOptionsError';
  }
}

/** Validates and fills defaults once, before anything is generated. */
export function compileSimulationOptions(options: SimulationOptions): CompiledSimulationOptions {
  const { seed, transactions } = options;
  if (!Number.isSafeInteger(seed))
    throw new SimulationOptionsError('seed', `must be an integer, got ${seed}`);
  if (!Number.isSafeInteger(transactions) || transactions < 0) {
    throw new SimulationOptionsError('transactions', `must be an integer >= 0, got ${transactions}`);
  }
  const days = options.days ?? 30;
  if (!(days > 0 && days <= 3650))
    throw new SimulationOptionsError('days', `must be in (0, 3650], got ${days}`);
  const fraudRate = options.fraudRate ?? 0.0015;
  if (!(fraudRate >= 0 && fraudRate <= 0.2)) {
    throw new SimulationOptionsError('fraudRate', `must be in [0, 0.2], got ${fraudRate}`);
  }
  const startTimeMs = options.startTimeMs ?? DEFAULT_START_TIME_MS;
  if (!Number.isSafeInteger(startTimeMs))
    throw new SimulationOptionsError('startTimeMs', 'must be an integer (ms)');
  if (
    options.customers !== undefined &&
    !(Number.isSafeInteger(options.customers) && options.customers >= 20)
  ) {
    throw new SimulationOptionsError('customers', `must be an integer >= 20, got ${options.customers}`);
  }
  const currency = options.currency ?? DEFAULT_CURRENCY;
  if (!/^[A-Z]{3}$/.test(currency))
    throw new SimulationOptionsError('currency', `"${currency}" is not ISO 4217`);
  return Object.freeze({
    seed,
    transactions,
    startTimeMs,
    days,
    fraudRate,
    currency,
    idPrefix: options.idPrefix ?? DEFAULT_ID_PREFIX,
    sizes: defaultSizes(transactions, options.customers),
  });
}

// Legit look-alike episodes per planned transaction: enough that the fraud patterns have
// innocent twins in the data.
/** About how many transactions a fraud episode makes (typology mix weighted). */
const MEAN_EPISODE_TX = 2.6;
/** Share of legit traffic from one-shot accounts with PaySim's marginals (see walk-ins.ts). */
const WALK_IN_SHARE = 0.5;
const SWEEPS_PER_TX = 0.0008;
const MICRO_BURSTS_PER_TX = 0.0003;

function scheduleRate(
  ctx: SimContext,
  expected: number,
  hourStartMs: number,
  schedule: (c: SimContext, t: number) => void,
): void {
  // Whole part always, fractional part by chance: the expected count without a Poisson draw.
  const n = Math.floor(expected) + (ctx.prng.chance(expected % 1) ? 1 : 0);
  for (let i = 0; i < n; i += 1) schedule(ctx, hourStartMs + ctx.prng.next() * STEP_MS);
}

/**
 * The PaySim-grade generator: yields exactly `transactions` labeled transactions in event-time
 * order. Pure function of its options: no Math.random, no clock.
 */
export function* simulate(options: SimulationOptions): Generator<LabeledTransaction, void, undefined> {
  const o = compileSimulationOptions(options);
  const prng = new Prng(o.seed);
  const population = new Population(o.sizes, prng);
  const hours = Math.max(1, Math.round(o.days * 24));
  const calendar = new Calendar(o.startTimeMs, hours, o.transactions, o.fraudRate, prng);
  const ctx: SimContext = {
    prng,
    population,
    ledger: new Ledger(population, o.currency, o.idPrefix, o.seed),
    queue: new ActionQueue(),
  };
  const budget = new FraudBudget();
  let emitted = 0;
  for (let h = 0; emitted < o.transactions; h += 1) {
    const hourStart = o.startTimeMs + h * STEP_MS;
    const hourEnd = hourStart + STEP_MS;
    const quota = calendar.quota(h);
    const target = calendar.fraudTarget(h);
    // Half an episode of slack: a run too small for one episode gets none, rather than one
    // episode that makes its fraud rate ten times the target.
    while (budget.emitted + budget.pending + MEAN_EPISODE_TX / 2 <= target) {
      startFraudEpisode(ctx, budget, hourStart + prng.next() * STEP_MS);
    }
    scheduleRate(ctx, quota * SWEEPS_PER_TX, hourStart, scheduleSweep);
    scheduleRate(ctx, quota * MICRO_BURSTS_PER_TX, hourStart, scheduleMicroBurst);
    const walkIns = Math.round(quota * WALK_IN_SHARE);
    scheduleWalkIns(ctx, hourStart, walkIns);
    scheduleEverydayTraffic(ctx, hourStart, quota - walkIns);
    while (ctx.queue.peekTime() < hourEnd) {
      const action = ctx.queue.pop()!;
      const out = action.run
        ? action.run(action.timeMs)
        : legitTransaction(ctx, action.account, action.timeMs);
      if (out === null) continue;
      yield out;
      emitted += 1;
      if (emitted >= o.transactions) return;
    }
  }
}
