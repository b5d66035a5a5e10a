import { accountName } from './account-ids.ts';
import { cumulativeOf, type Prng } from './prng.ts';

/** Spending profiles: each has its own mix of transaction types. */
export const PROFILES = ['standard', 'cash', 'shopper', 'remitter', 'collector', 'mule'] as const;
export type Profile = (typeof PROFILES)[number];
export const PROFILE_ID: Record<Profile, number> = Object.fromEntries(
  PROFILES.map((p, i) => [p, i]),
) as Record<Profile, number>;

export const CONTACTS_PER_CUSTOMER = 4;
export const FAVOURITE_MERCHANTS = 3;

export interface PopulationSizes {
  customers: number;
  merchants: number;
  agents: number;
  banks: number;
  /** Customers recruited as money mules (a subset of `customers`). */
  mules: number;
  /** Fraud rings; each controls some of the mules. */
  rings: number;
}

/** Sizes that scale with the volume: about 25 transactions per customer over the run. */
export function defaultSizes(transactions: number, customers?: number): PopulationSizes {
  const c = customers ?? Math.max(200, Math.round(transactions / 25));
  const mules = Math.max(6, Math.round(c * 0.004));
  return {
    customers: c,
    merchants: Math.max(20, Math.round(c / 15)),
    agents: Math.max(5, Math.round(c / 200)),
    banks: 12,
    mules,
    rings: Math.max(2, Math.round(mules / 6)),
  };
}

/**
 * Every account of the simulated mobile-money system, in parallel typed arrays indexed by
 * account index (a million transactions touch these arrays millions of times; objects per
 * account would cost more than the generation itself).
 */
export class Population {
  readonly names: string[] = [];
  private readonly idOffset: number;
  private readonly merchantOffset: number;
  private nextFreshCustomer: number;
  private nextFreshMerchant: number;
  /** Ledger balance in minor units; NaN = not tracked (merchants and banks report unknown). */
  readonly balance: Float64Array;
  readonly customers: Int32Array;
  readonly merchants: Int32Array;
  readonly agents: Int32Array;
  readonly banks: Int32Array;
  readonly mules: Int32Array;
  readonly collectors: Int32Array;
  /** Mule account indices per ring. */
  readonly rings: Int32Array[];

  // Per-account customer attributes (unused slots for non-customers).
  readonly income: Float64Array;
  readonly profile: Uint8Array;
  readonly contacts: Int32Array;
  readonly favourites: Int32Array;
  readonly homeAgent: Int32Array;
  /** 1 while an agent's float top-up is scheduled, so a short agent asks its bank only once. */
  readonly topUpPending: Uint8Array;

  /** Cumulative activity weights over `customers`, by daytime and by night (night owls differ). */
  readonly dayActivity: Float64Array;
  readonly nightActivity: Float64Array;
  readonly merchantPopularity: Float64Array;

  constructor(
    readonly sizes: PopulationSizes,
    prng: Prng,
  ) {
    const total = sizes.customers + sizes.merchants + sizes.agents + sizes.banks;
    this.balance = new Float64Array(total).fill(Number.NaN);
    this.income = new Float64Array(total);
    this.profile = new Uint8Array(total);
    this.contacts = new Int32Array(total * CONTACTS_PER_CUSTOMER).fill(-1);
    this.favourites = new Int32Array(total * FAVOURITE_MERCHANTS).fill(-1);
    this.homeAgent = new Int32Array(total).fill(-1);
    this.topUpPending = new Uint8Array(total);
    const idOffset = prng.int(0, 999_999_999);
    const merchantOffset = prng.int(0, 999_999_999);
    this.idOffset = idOffset;
    this.merchantOffset = merchantOffset;

    let next = 0;
    let cNames = 0;
    const range = (n: number, prefix: 'C' | 'M'): Int32Array => {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i += 1) {
        out[i] = next;
        this.names.push(
          prefix === 'C' ? accountName('C', cNames++, idOffset) : accountName('M', i, merchantOffset),
        );
        next += 1;
      }
      return out;
    };
    // Customers, agents and banks share the 'C' name space: as in PaySim, a name tells nothing.
    this.customers = range(sizes.customers, 'C');
    this.agents = range(sizes.agents, 'C');
    this.banks = range(sizes.banks, 'C');
    this.merchants = range(sizes.merchants, 'M');
    this.nextFreshCustomer = cNames;
    this.nextFreshMerchant = sizes.merchants;

    // Merchants: a few big ones, a long tail (Zipf-like popularity).
    const popularity = new Float64Array(sizes.merchants);
    for (let i = 0; i < sizes.merchants; i += 1) popularity[i] = 1 / Math.pow(i + 1, 0.8);
    this.merchantPopularity = cumulativeOf(popularity);

    // Agents hold a large cash float, tracked like any ledger balance.
    for (const a of this.agents) this.balance[a] = Math.round(prng.logNormal(8_000_000, 0.5)) * 100;

    const mulePositions = new Set<number>();
    while (mulePositions.size < Math.min(sizes.mules, sizes.customers)) {
      mulePositions.add(prng.int(0, sizes.customers - 1));
    }
    const collectors: number[] = [];
    const dayWeights = new Float64Array(sizes.customers);
    const nightWeights = new Float64Array(sizes.customers);
    for (let i = 0; i < sizes.customers; i += 1) {
      const c = this.customers[i]!;
      const isMule = mulePositions.has(i);
      const roll = prng.next();
      const profile: Profile = isMule
        ? 'mule'
        : roll < 0.5
          ? 'standard'
          : roll < 0.7
            ? 'cash'
            : roll < 0.9
              ? 'shopper'
              : roll < 0.995
                ? 'remitter'
                : 'collector';
      if (profile === 'collector') collectors.push(c);
      this.profile[c] = PROFILE_ID[profile];
      this.income[c] = prng.logNormal(profile === 'collector' ? 2 : 1, 0.45);
      // Mules are mostly quiet accounts with little money: recruited, not rich.
      const activity = prng.logNormal(1, 0.8) * (isMule ? 0.25 : 1);
      const nightOwl = prng.chance(0.15);
      dayWeights[i] = activity;
      nightWeights[i] = activity * (nightOwl ? 4 : 1);
      const startBalance = isMule
        ? prng.logNormal(5_000, 1)
        : prng.chance(0.15)
          ? 0
          : prng.logNormal(250_000, 1.2) * this.income[c];
      this.balance[c] = Math.round(startBalance) * 100;
      for (let k = 0; k < CONTACTS_PER_CUSTOMER; k += 1) {
        if (k === 0 || prng.chance(0.6)) {
          this.contacts[c * CONTACTS_PER_CUSTOMER + k] = this.customers[prng.int(0, sizes.customers - 1)]!;
        }
      }
      for (let k = 0; k < FAVOURITE_MERCHANTS; k += 1) {
        this.favourites[c * FAVOURITE_MERCHANTS + k] = this.merchants[prng.int(0, sizes.merchants - 1)]!;
      }
      this.homeAgent[c] = this.agents[prng.int(0, sizes.agents - 1)]!;
    }
    this.dayActivity = cumulativeOf(dayWeights);
    this.nightActivity = cumulativeOf(nightWeights);
    this.collectors = Int32Array.from(collectors);
    this.mules = Int32Array.from([...mulePositions].sort((a, b) => a - b).map((i) => this.customers[i]!));

    // Rings share out the mules; a ring reuses its mules, which is what makes fan-in visible.
    const rings: number[][] = Array.from({ length: sizes.rings }, () => []);
    this.mules.forEach((m, i) => rings[i % sizes.rings]!.push(m));
    this.rings = rings.filter((r) => r.length > 0).map((r) => Int32Array.from(r));
  }

  /**
   * A name never used before and never used again by the population: PaySim's norm, where almost
   * every origin appears once (walk-in accounts, fraud's throw-away recipients, fresh merchants).
   */
  freshName(prefix: 'C' | 'M'): string {
    return prefix === 'C'
      ? accountName('C', this.nextFreshCustomer++, this.idOffset)
      : accountName('M', this.nextFreshMerchant++, this.merchantOffset);
  }

  isTracked(account: number): boolean {
    return !Number.isNaN(this.balance[account]!);
  }
}
