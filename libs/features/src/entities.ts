/**
 * The state entities one transaction updates, in a fixed order both stores follow. Besides the two
 * accounts, three kinds of "index" entity reuse the account state and its update rule, so the Lua
 * script, the parity and the idempotency are the same as for accounts:
 * - amount index (TRANSFER and CASH_OUT only): keyed by currency and exact amount, a TRANSFER is its
 *   incoming side and a CASH_OUT its outgoing side. A CASH_OUT then sees how many transfers of the
 *   very same amount happened recently anywhere: PaySim's fraud is a TRANSFER that empties a
 *   victim followed by a CASH_OUT of the same amount from another account, which nothing per
 *   account can link without balances.
 * - (origin, device) and (origin, country) pairs, when the field is present: "a new device" and
 *   "a new country" for the account within the history horizon.
 */
import type { Transaction } from '@fraud/contracts';
import { Role } from './state.ts';

/** Key kind letters of the Redis layout (`{prefix:shard}:<kind>:<id>`). */
export const EntityKind = { ACCOUNT: 'a', AMOUNT: 'm', DEVICE: 'v', COUNTRY: 'k' } as const;
export type EntityKind = (typeof EntityKind)[keyof typeof EntityKind];

export interface EntityUpdate {
  kind: EntityKind;
  /** The entity id within its kind; accounts: the account id. */
  id: string;
  role: Role;
  /** The 'transfer' flag of the account event (only the incoming side reads it). */
  isTransfer: boolean;
  /** Distinguishes this update's idempotency record from the transaction's other updates. */
  fieldPrefix: string;
}

/** Length-prefixed, so no pair of ids can collide with another pair. */
function pairId(accountId: string, value: string): string {
  return `${accountId.length}:${accountId}:${value}`;
}

export function amountIndexId(tx: Pick<Transaction, 'currency' | 'amountMinor'>): string {
  return `${tx.currency}:${tx.amountMinor}`;
}

/**
 * The updates of one transaction, in store order: origin, destination (one BOTH update for a
 * self-transfer), then amount index, device pair, country pair when they apply.
 */
export function entityUpdates(tx: Transaction): EntityUpdate[] {
  const isTransfer = tx.type === 'TRANSFER';
  const out: EntityUpdate[] = [];
  if (tx.originAccountId === tx.destinationAccountId) {
    out.push({
      kind: EntityKind.ACCOUNT,
      id: tx.originAccountId,
      role: Role.BOTH,
      isTransfer,
      fieldPrefix: '3',
    });
  } else {
    out.push({
      kind: EntityKind.ACCOUNT,
      id: tx.originAccountId,
      role: Role.OUT,
      isTransfer,
      fieldPrefix: '1',
    });
    out.push({
      kind: EntityKind.ACCOUNT,
      id: tx.destinationAccountId,
      role: Role.IN,
      isTransfer,
      fieldPrefix: '2',
    });
  }
  if (isTransfer || tx.type === 'CASH_OUT') {
    out.push({
      kind: EntityKind.AMOUNT,
      id: amountIndexId(tx),
      role: isTransfer ? Role.IN : Role.OUT,
      isTransfer,
      fieldPrefix: 'm',
    });
  }
  if (tx.deviceId !== null && tx.deviceId !== '') {
    out.push({
      kind: EntityKind.DEVICE,
      id: pairId(tx.originAccountId, tx.deviceId),
      role: Role.OUT,
      isTransfer: false,
      fieldPrefix: 'v',
    });
  }
  if (tx.countryCode !== null && tx.countryCode !== '') {
    out.push({
      kind: EntityKind.COUNTRY,
      id: pairId(tx.originAccountId, tx.countryCode),
      role: Role.OUT,
      isTransfer: false,
      fieldPrefix: 'k',
    });
  }
  return out;
}
