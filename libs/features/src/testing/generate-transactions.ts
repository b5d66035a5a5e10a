/**
 * Deterministic PaySim-like transactions for tests and the benchmark (not exported from the
 * package). Accounts repeat (skewed popularity), and three fraud typologies are planted:
 * account takeover (drain by TRANSFER to a mule, then CASH_OUT of the same amount from the mule),
 * card-testing bursts of small PAYMENTs, and mule fan-in. Some balances are unknown (null), a few
 * events arrive late and a few are self-transfers, to exercise every branch of the state update.
 */
import type { Transaction, TransactionType } from '@fraud/contracts';
import { seededRandom } from '@fraud/test-support';

export interface GeneratorOptions {
  seed?: number;
  count: number;
  customers?: number;
  merchants?: number;
  mules?: number;
  /** Mean gap between consecutive events, ms. @default 2_500 (100k transactions span ~3 days) */
  meanGapMs?: number;
  startTime?: number;
}

export interface Generated {
  txs: Transaction[];
  fraudIds: Set<string>;
}

const CHANNEL_VALUES = ['MOBILE_APP', 'WEB', 'AGENT', 'ATM', 'POS', 'API', 'KIOSK'];
const COUNTRY_VALUES = ['US', 'GB', 'DE'];
const CATEGORY_VALUES = ['grocery', 'crypto', 'gift_cards', 'unknown_category'];

/** Same seed, same stream everywhere. */
export const prng = seededRandom;

export function generateTransactions(options: GeneratorOptions): Generated {
  const rnd = prng(options.seed ?? 42);
  const nCustomers = options.customers ?? 20_000;
  const nMerchants = options.merchants ?? 2_000;
  const nMules = options.mules ?? 200;
  const meanGap = options.meanGapMs ?? 2_500;
  let clock = options.startTime ?? Date.UTC(2024, 0, 1);
  const txs: Transaction[] = [];
  const fraudIds = new Set<string>();
  const balances = new Map<string, number>();
  const scheduled: Transaction[] = [];
  let seq = 0;

  const int = (n: number) => Math.floor(rnd() * n);
  // Squaring skews popularity: low indexes are busy accounts, the tail appears rarely.
  const customer = () => `C${String(Math.floor(nCustomers * rnd() ** 2)).padStart(9, '0')}`;
  const merchant = () => `M${String(int(nMerchants)).padStart(9, '0')}`;
  const mule = () => `C9${String(int(nMules)).padStart(8, '0')}`;
  const balance = (id: string) => {
    let b = balances.get(id);
    if (b === undefined) balances.set(id, (b = int(5_000_000)));
    return b;
  };
  const maybe = (v: number) => (rnd() < 0.08 ? null : v);

  function make(type: TransactionType, origin: string, dest: string, amount: number, t: number): Transaction {
    const ob = balance(origin);
    const oa = type === 'CASH_IN' ? ob + amount : Math.max(0, ob - amount);
    const db = dest.startsWith('M') ? 0 : balance(dest);
    const da = dest.startsWith('M') ? 0 : type === 'CASH_IN' ? Math.max(0, db - amount) : db + amount;
    balances.set(origin, oa);
    if (!dest.startsWith('M')) balances.set(dest, da);
    // Optional fields and zero amounts from the sequence number, not from rnd, so the random stream
    // (and every other field) is what it was before they existed. Each is sometimes absent.
    const n = seq++;
    return {
      transactionId: `tx-${n.toString(36)}`,
      eventTime: t,
      type,
      amountMinor: n % 211 === 0 ? 0 : amount,
      currency: 'USD',
      originAccountId: origin,
      destinationAccountId: dest,
      channel: n % 6 === 0 ? null : CHANNEL_VALUES[n % CHANNEL_VALUES.length]!,
      deviceId: n % 4 === 0 ? null : `dev-${origin}-${(n >> 3) % 3}`,
      countryCode: n % 5 === 0 ? null : COUNTRY_VALUES[(n >> 2) % COUNTRY_VALUES.length]!,
      merchantCategory:
        dest.startsWith('M') && n % 3 !== 0 ? CATEGORY_VALUES[n % CATEGORY_VALUES.length]! : null,
      originBalanceBeforeMinor: maybe(ob),
      originBalanceAfterMinor: maybe(oa),
      destinationBalanceBeforeMinor: maybe(db),
      destinationBalanceAfterMinor: maybe(da),
    };
  }

  function schedule(tx: Transaction, fraud: boolean): void {
    if (fraud) fraudIds.add(tx.transactionId);
    scheduled.push(tx);
    scheduled.sort((a, b) => a.eventTime - b.eventTime);
  }

  while (txs.length < options.count) {
    clock += Math.max(1, Math.round(-Math.log(1 - rnd()) * meanGap));
    while (scheduled.length > 0 && scheduled[0]!.eventTime <= clock && txs.length < options.count) {
      txs.push(scheduled.shift()!);
    }
    if (txs.length >= options.count) break;
    const r = rnd();
    let t = clock;
    if (rnd() < 0.01) t -= int(10 * 60_000); // late arrival: event time behind processing order
    let tx: Transaction;
    if (r < 0.004) {
      // Account takeover: drain the victim into a mule, the mule cashes the same amount out soon after.
      const victim = customer();
      const m = mule();
      const amount = Math.max(100, balance(victim));
      tx = make('TRANSFER', victim, m, amount, t);
      fraudIds.add(tx.transactionId);
      schedule(make('CASH_OUT', m, customer(), amount, clock + 60_000 + int(30 * 60_000)), true);
    } else if (r < 0.006) {
      // Card testing: a burst of small payments seconds apart.
      const card = customer();
      tx = make('PAYMENT', card, merchant(), 100 + int(400), t);
      fraudIds.add(tx.transactionId);
      const n = 10 + int(20);
      for (let k = 1; k <= n; k++)
        schedule(make('PAYMENT', card, merchant(), 100 + int(400), clock + k * (1_000 + int(20_000))), true);
    } else if (r < 0.008) {
      tx = make('TRANSFER', customer(), mule(), 1_000 + int(200_000), t); // mule fan-in
    } else if (r < 0.01) {
      const a = customer();
      tx = make('TRANSFER', a, a, 1_000 + int(100_000), t); // self-transfer
    } else if (r < 0.35) {
      tx = make('PAYMENT', customer(), merchant(), 100 + int(50_000), t);
    } else if (r < 0.7) {
      tx = make('CASH_OUT', customer(), customer(), 1_000 + int(500_000), t);
    } else if (r < 0.92) {
      tx = make('CASH_IN', customer(), customer(), 1_000 + int(500_000), t);
    } else if (r < 0.99) {
      tx = make('TRANSFER', customer(), customer(), 1_000 + int(1_000_000), t);
    } else {
      tx = make('DEBIT', customer(), customer(), 500 + int(20_000), t);
    }
    txs.push(tx);
  }
  return { txs, fraudIds };
}
