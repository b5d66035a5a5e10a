/**
 * The contract's optional fields (channel, deviceId, countryCode, merchantCategory), generated
 * realistically: a customer uses one or two devices of their own from their home country; the
 * channel follows the type (cash at agents and ATMs, payments at points of sale or online); a
 * merchant has one category. A fraudster acting on a victim's account shows up with a device the
 * account never used, often from another country and online. Draws come from a PRNG of their own,
 * so adding these fields left every other column of a seeded run as it was.
 */
import type { TransactionType } from '@fraud/contracts';
import { Prng } from './prng.ts';

/** Home countries, weighted (a mobile-money market with a diaspora). */
const HOME_COUNTRIES: readonly [string, number][] = [
  ['KE', 0.7],
  ['UG', 0.12],
  ['TZ', 0.1],
  ['GB', 0.04],
  ['US', 0.04],
];
const FOREIGN_COUNTRIES = ['NG', 'RU', 'BR', 'VN', 'RO', 'US', 'GB'];

/** Merchant categories with weights; the risky ones are rare, as in card-present retail. */
const MERCHANT_CATEGORIES: readonly [string, number][] = [
  ['grocery', 0.28],
  ['restaurants', 0.16],
  ['fuel', 0.1],
  ['retail', 0.16],
  ['utilities', 0.1],
  ['travel', 0.04],
  ['electronics', 0.05],
  ['digital_goods', 0.05],
  ['money_transfer', 0.02],
  ['gift_cards', 0.02],
  ['gambling', 0.01],
  ['crypto', 0.01],
];
/** Where card testers and fraudsters spend: categories whose goods resell instantly. */
export const RISKY_CATEGORIES = ['digital_goods', 'gift_cards', 'crypto', 'gambling', 'electronics'];

const CHANNELS_BY_TYPE: Record<TransactionType, readonly [string, number][]> = {
  PAYMENT: [
    ['POS', 0.45],
    ['MOBILE_APP', 0.4],
    ['WEB', 0.15],
  ],
  TRANSFER: [
    ['MOBILE_APP', 0.8],
    ['WEB', 0.15],
    ['API', 0.05],
  ],
  CASH_OUT: [
    ['AGENT', 0.8],
    ['ATM', 0.2],
  ],
  CASH_IN: [['AGENT', 1]],
  DEBIT: [['API', 1]],
};

const USSD_SHARE = 0.25;
const USSD_FIELDS: ActorFields = Object.freeze({ channel: 'USSD', deviceId: null, countryCode: null });

/** Integer hash of an index: a stable per-account draw that needs no stored array. */
function mix(n: number, salt: number): number {
  let x = Math.imul(n ^ salt, 0x9e3779b1);
  x = Math.imul(x ^ (x >>> 15), 0x85ebca77);
  return ((x ^ (x >>> 13)) >>> 0) / 2 ** 32;
}

function weighted(items: readonly [string, number][], u: number): string {
  let acc = 0;
  for (const [item, w] of items) {
    acc += w;
    if (u < acc) return item;
  }
  return items[items.length - 1]![0];
}

/** The fields of one transaction that are not money. */
export interface ActorFields {
  channel: string | null;
  deviceId: string | null;
  countryCode: string | null;
}

export class OptionalFields {
  private readonly prng: Prng;
  private actors = 0;

  constructor(seed: number) {
    this.prng = new Prng(seed ^ 0x2c1b3c6d);
  }

  homeCountry(account: number): string {
    return weighted(HOME_COUNTRIES, mix(account, 0x1f));
  }

  merchantCategory(merchant: number): string {
    return weighted(MERCHANT_CATEGORIES, mix(merchant, 0x3d));
  }

  /**
   * A quarter of the accounts bank by USSD on feature phones: no app, so no device id and no
   * location, and a channel code the feature set does not know. The model must learn to score
   * them (and data with no optional fields at all, like PaySim) without those signals.
   */
  isUssd(account: number): boolean {
    return mix(account, 0x55) < USSD_SHARE;
  }

  /** The account holder's own fields: their device (a second one sometimes), at home mostly. */
  owner(type: TransactionType, account: number, accountName: string): ActorFields {
    if (this.isUssd(account) && type !== 'CASH_IN' && type !== 'CASH_OUT') return USSD_FIELDS;
    const channel = weighted(CHANNELS_BY_TYPE[type], this.prng.next());
    const atCounter = channel === 'AGENT' || channel === 'ATM' || channel === 'POS';
    const device = this.prng.chance(0.93) ? 0 : 1;
    const travelling = this.prng.chance(0.015);
    return {
      channel,
      deviceId: atCounter ? null : `D-${accountName}-${device}`,
      countryCode: travelling ? this.prng.pick(FOREIGN_COUNTRIES) : this.homeCountry(account),
    };
  }

  /**
   * A fraudster's identity for one episode: a new device, abroad more often than not, online. On a
   * USSD account (after a SIM swap) the fraudster leaves no device or location either.
   */
  attacker(homeCountry: string, victimIsUssd: boolean): ActorFields {
    this.actors += 1;
    if (victimIsUssd) return USSD_FIELDS;
    return {
      channel: this.prng.chance(0.7) ? 'WEB' : 'API',
      deviceId: `D-x${this.actors.toString(36)}`,
      countryCode: this.prng.chance(0.55) ? this.prng.pick(FOREIGN_COUNTRIES) : homeCountry,
    };
  }

  /** The category of a merchant known only by name (a fresh, one-shot merchant). */
  merchantCategoryOf(name: string): string {
    let h = 0;
    for (let i = 0; i < name.length; i += 1) h = Math.imul(h, 31) + name.charCodeAt(i);
    return weighted(MERCHANT_CATEGORIES, mix(h, 0x3d));
  }

  isRiskyMerchant(merchant: number): boolean {
    return RISKY_CATEGORIES.includes(this.merchantCategory(merchant));
  }
}
