import type { TransactionType } from '@fraud/contracts';
import type { LabeledTransaction } from '@fraud/paysim';
import { OptionalFields, type ActorFields } from './optional-fields.ts';
import type { Population } from './population.ts';

export interface OneShotPosting {
  type: TransactionType;
  originName: string;
  /** A number that stands for the origin in per-account draws (home country, USSD). */
  originKey: number;
  /** Reported balances of the origin (null = unknown). */
  originBeforeMinor: number | null;
  originAfterMinor: number | null;
  destination: number | string;
  amountMinor: number;
  timeMs: number;
  isFraud: boolean;
  actor?: ActorFields | undefined;
}

/**
 * Posts transactions against the population's balances, so every reported before/after balance
 * is the account's true running balance (untracked accounts report null, i.e. unknown).
 * transactionId = idPrefix + emission index: with the default 'ps-' a written CSV imports back
 * with the same ids (the importer's `ps-<row>` rule).
 */
export class Ledger {
  private emitted = 0;
  /** Channel, device, country and merchant category (their own PRNG; see optional-fields.ts). */
  readonly fields: OptionalFields;

  constructor(
    private readonly population: Population,
    private readonly currency: string,
    private readonly idPrefix: string,
    seed: number,
  ) {
    this.fields = new OptionalFields(seed);
  }

  /** Number of transactions posted so far. */
  get count(): number {
    return this.emitted;
  }

  /**
   * Posts a transaction of an account outside the population, seen this once (PaySim's norm):
   * its balance is given, not tracked. `destination` is a population account (its balance moves)
   * or a fresh name (a merchant reports no balance; a fresh customer starts at 0).
   */
  postOneShot(o: OneShotPosting): LabeledTransaction {
    const { type, amountMinor } = o;
    const sign = type === 'CASH_IN' ? 1 : -1;
    let destinationName: string;
    let destinationBefore: number | null;
    let destinationAfter: number | null;
    if (typeof o.destination === 'number') {
      const balance = this.population.balance;
      destinationName = this.population.names[o.destination]!;
      const before = balance[o.destination]!;
      const tracked = !Number.isNaN(before);
      if (tracked) balance[o.destination] = before - sign * amountMinor;
      destinationBefore = tracked ? before : null;
      destinationAfter = tracked ? balance[o.destination]! : null;
    } else {
      destinationName = o.destination;
      const merchant = destinationName.startsWith('M');
      destinationBefore = merchant ? null : 0;
      destinationAfter = merchant ? null : amountMinor;
    }
    const who = o.actor ?? this.fields.owner(type, o.originKey, o.originName);
    const toMerchant = destinationName.startsWith('M');
    const tx = {
      transactionId: `${this.idPrefix}${this.emitted}`,
      eventTime: o.timeMs,
      type,
      amountMinor,
      currency: this.currency,
      originAccountId: o.originName,
      destinationAccountId: destinationName,
      channel: who.channel,
      deviceId: who.deviceId,
      countryCode: who.countryCode,
      merchantCategory: toMerchant ? this.fields.merchantCategoryOf(destinationName) : null,
      originBalanceBeforeMinor: o.originBeforeMinor,
      originBalanceAfterMinor: o.originBeforeMinor === null ? null : o.originAfterMinor,
      destinationBalanceBeforeMinor: destinationBefore,
      destinationBalanceAfterMinor: destinationAfter,
    };
    this.emitted += 1;
    return { tx, isFraud: o.isFraud };
  }

  post(
    type: TransactionType,
    origin: number,
    destination: number,
    amountMinor: number,
    timeMs: number,
    isFraud: boolean,
    /** Who acts, when not the account holder (a fraudster's device and country). */
    actor?: ActorFields,
  ): LabeledTransaction {
    const balance = this.population.balance;
    const names = this.population.names;
    // CASH_IN is the one type where money flows to the origin (cash handed to an agent).
    const sign = type === 'CASH_IN' ? 1 : -1;
    const originBefore = balance[origin]!;
    const destinationBefore = balance[destination]!;
    const originTracked = !Number.isNaN(originBefore);
    const destinationTracked = !Number.isNaN(destinationBefore);
    if (originTracked) balance[origin] = originBefore + sign * amountMinor;
    if (destinationTracked) balance[destination] = destinationBefore - sign * amountMinor;
    const who = actor ?? this.fields.owner(type, origin, names[origin]!);
    const toMerchant = names[destination]!.startsWith('M');
    const tx = {
      transactionId: `${this.idPrefix}${this.emitted}`,
      eventTime: timeMs,
      type,
      amountMinor,
      currency: this.currency,
      originAccountId: names[origin]!,
      destinationAccountId: names[destination]!,
      channel: who.channel,
      deviceId: who.deviceId,
      countryCode: who.countryCode,
      merchantCategory: toMerchant ? this.fields.merchantCategory(destination) : null,
      originBalanceBeforeMinor: originTracked ? originBefore : null,
      originBalanceAfterMinor: originTracked ? balance[origin]! : null,
      destinationBalanceBeforeMinor: destinationTracked ? destinationBefore : null,
      destinationBalanceAfterMinor: destinationTracked ? balance[destination]! : null,
    };
    this.emitted += 1;
    return { tx, isFraud };
  }
}
