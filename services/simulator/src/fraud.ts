import type { TransactionType } from '@fraud/contracts';
import type { LabeledTransaction } from '@fraud/paysim';
import type { OneShotPosting } from './ledger.ts';
import type { ActorFields } from './optional-fields.ts';
import { oneShotKey } from './walk-ins.ts';
import { MAX_AMOUNT_MINOR, fractionOf, roundDown } from './amounts.ts';
import {
  activeCustomer,
  minutes,
  randomAgent,
  randomMerchant,
  richCustomer,
  type SimContext,
} from './context.ts';

export const TYPOLOGIES = [
  'paysim_drain',
  'account_takeover',
  'card_testing',
  'mule_fan_in',
  'mule_fan_out',
] as const;
export type Typology = (typeof TYPOLOGIES)[number];

/** Share of fraud episodes per typology (by episode, not by transaction). */
const EPISODE_MIX: [Typology, number][] = [
  // About 70% of the fraud rows are PaySim's drain (the public pattern); the richer typologies ride on top.
  ['paysim_drain', 0.87],
  ['account_takeover', 0.06],
  ['card_testing', 0.01],
  ['mule_fan_in', 0.03],
  ['mule_fan_out', 0.03],
];

/**
 * Keeps the fraud rate on target: `pending` counts the fraud transactions episodes have planned
 * but not yet emitted (or given up on), so the engine starts a new episode only while
 * emitted + pending is below the hour's cumulative target.
 */
export class FraudBudget {
  emitted = 0;
  pending = 0;
  readonly byTypology: Record<Typology, number> = {
    paysim_drain: 0,
    account_takeover: 0,
    card_testing: 0,
    mule_fan_in: 0,
    mule_fan_out: 0,
  };
}

/** One running fraud episode: its planned transactions, released as they happen or fail. */
class Episode {
  private remaining: number;
  /** The fraudster's device, country and channel: one identity per episode. */
  private attacker: ActorFields | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly budget: FraudBudget,
    readonly typology: Typology,
    planned: number,
  ) {
    this.remaining = planned;
    budget.pending += planned;
  }

  /** Posts one fraud transaction, capped at PaySim's 10M per transaction (the rest is lost). */
  post(
    type: TransactionType,
    origin: number,
    dest: number,
    amountMinor: number,
    timeMs: number,
  ): LabeledTransaction {
    this.release(1);
    this.budget.emitted += 1;
    this.budget.byTypology[this.typology] += 1;
    // The fraudster acts on the victim's account (transfers, purchases); a mule cashing out does so
    // as itself, with its own phone at its own agent.
    const fields = this.ctx.ledger.fields;
    const actor =
      type === 'CASH_OUT'
        ? undefined
        : (this.attacker ??= fields.attacker(fields.homeCountry(origin), fields.isUssd(origin)));
    return this.ctx.ledger.post(
      type,
      origin,
      dest,
      Math.min(amountMinor, MAX_AMOUNT_MINOR),
      timeMs,
      true,
      actor,
    );
  }

  /** Posts one fraud transaction of a one-shot account (PaySim's drain: victim and casher appear once). */
  postOneShot(posting: Omit<OneShotPosting, 'isFraud' | 'actor'>): LabeledTransaction {
    this.release(1);
    this.budget.emitted += 1;
    this.budget.byTypology[this.typology] += 1;
    const fields = this.ctx.ledger.fields;
    const actor =
      posting.type === 'CASH_OUT'
        ? undefined
        : (this.attacker ??= fields.attacker(
            fields.homeCountry(posting.originKey),
            fields.isUssd(posting.originKey),
          ));
    return this.ctx.ledger.postOneShot({ ...posting, isFraud: true, actor });
  }

  /** A planned step that will not happen (no money left, say). */
  skip(): null {
    this.release(1);
    return null;
  }

  /** Gives up the rest of the plan. */
  abort(): null {
    this.release(this.remaining);
    return null;
  }

  private release(n: number): void {
    const k = Math.min(n, this.remaining);
    this.remaining -= k;
    this.budget.pending -= k;
  }
}

/** Card testers and cashers-out favour merchants whose goods resell instantly. */
function riskyMerchant(ctx: SimContext): number {
  let m = randomMerchant(ctx);
  for (let i = 0; i < 8 && !ctx.ledger.fields.isRiskyMerchant(m); i += 1) m = randomMerchant(ctx);
  return m;
}

function pickMule(ctx: SimContext, ring: Int32Array): number {
  return ring[ctx.prng.int(0, ring.length - 1)]!;
}

function pickRing(ctx: SimContext): Int32Array {
  return ctx.population.rings[ctx.prng.int(0, ctx.population.rings.length - 1)]!;
}

/**
 * How much a fraudster takes: often everything, but not always (leaving a little looks less
 * alarming, and a round amount looks typed by a human), so "drained to 0" is not a perfect tell.
 */
function drainAmount(ctx: SimContext, balance: number): number {
  const roll = ctx.prng.next();
  if (roll < 0.65) return balance;
  if (roll < 0.88) return fractionOf(balance, ctx.prng.uniform(0.7, 0.99));
  return roundDown(fractionOf(balance, ctx.prng.uniform(0.5, 0.95)), 1_000_00);
}

/** The mule cashes out what it received: the same amount, a bit less (its cut), or in two parts. */
function scheduleCashOuts(
  ctx: SimContext,
  episode: Episode,
  mule: number,
  receivedMinor: number,
  afterMs: number,
  parts: number,
): void {
  const { prng, population: p, queue } = ctx;
  const lateDelay = prng.chance(0.2);
  let t = afterMs + minutes(lateDelay ? prng.uniform(60, 600) : prng.uniform(2, 45));
  const roll = prng.next();
  const total =
    roll < 0.6
      ? receivedMinor
      : roll < 0.85
        ? fractionOf(receivedMinor, prng.uniform(0.9, 0.99))
        : roundDown(receivedMinor, 100_00);
  const first = parts === 1 ? total : fractionOf(total, prng.uniform(0.4, 0.6));
  const amounts = parts === 1 ? [total] : [first, total - first];
  const agent = randomAgent(ctx);
  for (const amount of amounts) {
    queue.push(t, (timeMs) => {
      const cash = Math.min(amount, p.balance[mule]!);
      return cash > 0 ? episode.post('CASH_OUT', mule, agent, cash, timeMs) : episode.skip();
    });
    t += minutes(prng.uniform(2, 20));
  }
}

/**
 * PaySim fraud amounts: the victim's whole balance, heavy-tailed (shared file: 5% 932, median
 * 30,521, 95% 2.77M), whole units about a third of the time.
 */
function paysimVictimBalanceMinor(ctx: SimContext): number {
  const { prng } = ctx;
  let minor = Math.max(100, Math.round(prng.logNormal(40_000, 2.1) * 100));
  if (prng.chance(0.32)) minor = Math.max(100, Math.round(minor / 100) * 100);
  return Math.min(minor, 5 * MAX_AMOUNT_MINOR);
}

/**
 * (p) PaySim's drain, as it appears in the public data: a victim seen once TRANSFERs its whole
 * balance (in 10M chunks) to an account never seen before, and right after, ANOTHER account seen
 * once CASH_OUTs exactly the same amount at an agent (in the file, the very next row). Nothing
 * links the two accounts but the amount and the time, which is why the features keep a global
 * amount index. A few transfers have no cash-out and a few cash-outs no transfer, as in the data.
 */
function paysimDrain(ctx: SimContext, budget: FraudBudget, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const balance = paysimVictimBalanceMinor(ctx);
  const chunks: number[] = [];
  for (let left = balance; left > 0; left -= MAX_AMOUNT_MINOR) chunks.push(Math.min(left, MAX_AMOUNT_MINOR));
  const roll = prng.next();
  const withTransfer = roll >= 0.03; // 3%: a lone cash-out
  const withCashOut = roll < 0.98; // 2%: a transfer nobody cashes out (yet)
  const episode = new Episode(
    ctx,
    budget,
    'paysim_drain',
    chunks.length * ((withTransfer ? 1 : 0) + (withCashOut ? 1 : 0)),
  );
  const victim = p.freshName('C');
  let t = startMs;
  let left = balance;
  for (const chunk of chunks) {
    const before = left;
    left -= chunk;
    if (withTransfer) {
      const after = left;
      const recipient = p.freshName('C');
      queue.push(t, (timeMs) =>
        episode.postOneShot({
          type: 'TRANSFER',
          originName: victim,
          originKey: oneShotKey(victim),
          originBeforeMinor: before,
          originAfterMinor: after,
          destination: recipient,
          amountMinor: chunk,
          timeMs,
        }),
      );
    }
    if (withCashOut) {
      const casher = p.freshName('C');
      const agent = randomAgent(ctx);
      // Seconds after the transfer, mostly (PaySim writes it as the next row); sometimes minutes.
      const delayMs = 200 + prng.exponential(prng.chance(0.8) ? 5_000 : 120_000);
      queue.push(t + delayMs, (timeMs) =>
        episode.postOneShot({
          type: 'CASH_OUT',
          originName: casher,
          originKey: oneShotKey(casher),
          originBeforeMinor: chunk,
          originAfterMinor: 0,
          destination: agent,
          amountMinor: chunk,
          timeMs,
        }),
      );
    }
    t += 1_000 + prng.exponential(20_000);
  }
}

/** (a) Account takeover: drain the victim by TRANSFER to a mule, who cashes out minutes later. */
function accountTakeover(ctx: SimContext, budget: FraudBudget, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const victim = richCustomer(ctx, 5);
  const mule = pickMule(ctx, pickRing(ctx));
  const transfers = prng.chance(0.2) ? 2 : 1;
  const cashOuts = prng.chance(0.15) ? 2 : 1;
  const episode = new Episode(ctx, budget, 'account_takeover', transfers + cashOuts);
  const gapMs = minutes(prng.uniform(1, 10));
  const firstShare = prng.uniform(0.3, 0.7);
  let firstMinor = 0;
  queue.push(startMs, (timeMs) => {
    const balance = p.balance[victim]!;
    if (balance < 1_00) return episode.abort();
    const take = Math.min(drainAmount(ctx, balance), MAX_AMOUNT_MINOR * transfers);
    const tx = episode.post(
      'TRANSFER',
      victim,
      mule,
      transfers === 1 ? take : fractionOf(take, firstShare),
      timeMs,
    );
    firstMinor = tx.tx.amountMinor;
    if (transfers === 1) {
      scheduleCashOuts(ctx, episode, mule, firstMinor, timeMs, cashOuts);
      return tx;
    }
    // The second transfer, minutes later, takes the rest (or what is left by then).
    queue.push(timeMs + gapMs, (t2) => {
      const second = Math.min(take - firstMinor, p.balance[victim]!);
      const posted = second > 0 ? episode.post('TRANSFER', victim, mule, second, t2) : episode.skip();
      scheduleCashOuts(ctx, episode, mule, firstMinor + (posted?.tx.amountMinor ?? 0), t2, cashOuts);
      return posted;
    });
    return tx;
  });
}

/**
 * (b) Card testing: a compromised account makes a burst of tiny PAYMENTs within minutes to see
 * which go through, then often one large purchase or a transfer to a mule.
 */
function cardTesting(ctx: SimContext, budget: FraudBudget, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const account = activeCustomer(ctx, startMs);
  const tests = prng.int(5, 18);
  const finale = prng.next(); // < 0.45 big purchase, < 0.65 transfer to a mule, else nothing
  const hasFinale = finale < 0.65;
  const episode = new Episode(ctx, budget, 'card_testing', tests + (hasFinale ? 1 : 0));
  const singleMerchant = prng.chance(0.6) ? riskyMerchant(ctx) : -1;
  const fixedAmount = prng.chance(0.3) ? prng.pick([1_00, 2_00, 5_00, 10_00]) : 0;
  let t = startMs;
  for (let i = 0; i < tests; i += 1) {
    const merchant = singleMerchant >= 0 ? singleMerchant : randomMerchant(ctx);
    const amount = fixedAmount || Math.max(50, Math.round(prng.logNormal(3, 0.7) * 100));
    queue.push(t, (timeMs) =>
      p.balance[account]! >= amount
        ? episode.post('PAYMENT', account, merchant, amount, timeMs)
        : episode.skip(),
    );
    t += 2_000 + prng.exponential(25_000);
  }
  if (!hasFinale) return;
  const share = prng.uniform(0.2, 0.8);
  const finaleAt = t + minutes(prng.uniform(2, 30));
  if (finale < 0.45) {
    const merchant = riskyMerchant(ctx);
    queue.push(finaleAt, (timeMs) => {
      const amount = fractionOf(p.balance[account]!, share);
      return p.balance[account]! >= 1_00
        ? episode.post('PAYMENT', account, merchant, amount, timeMs)
        : episode.skip();
    });
  } else {
    const mule = pickMule(ctx, pickRing(ctx));
    const takeShare = prng.uniform(0.5, 1);
    queue.push(finaleAt, (timeMs) => {
      const amount = fractionOf(p.balance[account]!, takeShare);
      return p.balance[account]! >= 1_00
        ? episode.post('TRANSFER', account, mule, amount, timeMs)
        : episode.skip();
    });
  }
}

/**
 * (c1) Mule fan-in: many victims, each taken for part of their balance over a few hours, all into
 * one mule, which then cashes out the pile in one to three withdrawals.
 */
function muleFanIn(ctx: SimContext, budget: FraudBudget, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const mule = pickMule(ctx, pickRing(ctx));
  const victims = prng.int(4, 12);
  const cashOuts = prng.int(1, 3);
  const episode = new Episode(ctx, budget, 'mule_fan_in', victims + cashOuts);
  const spanMs = minutes(prng.uniform(30, 360));
  const times = Array.from({ length: victims }, () => startMs + prng.next() * spanMs).sort((a, b) => a - b);
  let received = 0;
  for (const at of times) {
    const victim = richCustomer(ctx, 3);
    const all = prng.chance(0.35);
    const share = prng.uniform(0.3, 0.9);
    const round = prng.chance(0.3);
    queue.push(at, (timeMs) => {
      const balance = p.balance[victim]!;
      if (balance < 1_00) return episode.skip();
      let amount = all ? balance : fractionOf(balance, share);
      if (round) amount = roundDown(amount, 100_00);
      const tx = episode.post('TRANSFER', victim, mule, amount, timeMs);
      received += tx.tx.amountMinor;
      return tx;
    });
  }
  let t = (times[times.length - 1] ?? startMs) + minutes(prng.uniform(10, 120));
  const keep = prng.uniform(0.85, 1);
  for (let i = 0; i < cashOuts; i += 1) {
    const agent = randomAgent(ctx);
    const left = cashOuts - i;
    queue.push(t, (timeMs) => {
      // Withdraw an even share of what is still to take out of the fan-in.
      const target = Math.floor((received * keep) / left);
      received -= target;
      const cash = Math.min(target, p.balance[mule]!);
      return cash > 0 ? episode.post('CASH_OUT', mule, agent, cash, timeMs) : episode.skip();
    });
    t += minutes(prng.uniform(5, 60));
  }
}

/** (c2) Mule fan-out: one victim drained through several mules at once, each cashing out its part. */
function muleFanOut(ctx: SimContext, budget: FraudBudget, startMs: number): void {
  const { prng, population: p, queue } = ctx;
  const victim = richCustomer(ctx, 5);
  const count = prng.int(3, 6);
  const ring = pickRing(ctx);
  const mules = Array.from({ length: count }, () =>
    prng.chance(0.7) ? pickMule(ctx, ring) : pickMule(ctx, pickRing(ctx)),
  );
  const weights = mules.map(() => prng.uniform(0.5, 1.5));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const episode = new Episode(ctx, budget, 'mule_fan_out', 2 * count);
  let take = -1;
  let taken = 0;
  let t = startMs;
  mules.forEach((mule, i) => {
    const share = weights[i]! / weightSum;
    queue.push(t, (timeMs) => {
      if (take < 0) take = drainAmount(ctx, p.balance[victim]!);
      // The last mule takes the rest, so a full drain really ends at 0.
      const part = i === count - 1 ? take - taken : Math.floor(take * share);
      const amount = Math.min(Math.max(1, part), p.balance[victim]!);
      if (amount < 1_00) {
        episode.skip();
        return episode.skip(); // its cash-out will not happen either
      }
      const tx = episode.post('TRANSFER', victim, mule, amount, timeMs);
      taken += tx.tx.amountMinor;
      scheduleCashOuts(ctx, episode, mule, tx.tx.amountMinor, timeMs + minutes(8), 1);
      return tx;
    });
    t += minutes(prng.uniform(0.5, 5));
  });
}

const RUN: Record<Typology, (ctx: SimContext, budget: FraudBudget, startMs: number) => void> = {
  paysim_drain: paysimDrain,
  account_takeover: accountTakeover,
  card_testing: cardTesting,
  mule_fan_in: muleFanIn,
  mule_fan_out: muleFanOut,
};

/** Starts one fraud episode of a typology drawn from the mix (or the one given) at `startMs`. */
export function startFraudEpisode(
  ctx: SimContext,
  budget: FraudBudget,
  startMs: number,
  typology?: Typology,
): void {
  let chosen = typology;
  if (!chosen) {
    let roll = ctx.prng.next();
    chosen = EPISODE_MIX[EPISODE_MIX.length - 1]![0];
    for (const [name, share] of EPISODE_MIX) {
      if (roll < share) {
        chosen = name;
        break;
      }
      roll -= share;
    }
  }
  RUN[chosen](ctx, budget, startMs);
}
