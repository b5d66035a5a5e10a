/**
 * Builds one shard's script call in the protocol of account-update.lua: distinct keys once each
 * (states first, then idempotency hashes), the numbers of every update packed into ONE binary
 * argument, then one idempotency field per update. Strings are what costs Redis CPU in a script
 * (each one is allocated, interned and collected), so the call carries as few as possible.
 */
import type { Role } from '../state.ts';

/** Per update: state key index, idempotency hash index (1-based KEYS indexes), role, transfer, event time, amount. */
const UPDATE_BYTES = 22;
/** Key indexes travel as uint16. */
export const MAX_KEYS_PER_CALL = 65_535;

export interface ShardUpdate {
  stateKey: string;
  idempotencyKey: string;
  role: Role;
  isTransfer: boolean;
  eventTime: number;
  amountMinor: number;
  /** Role prefix + transaction id: the update's field in the idempotency hash. */
  field: string;
}

export class ShardCallBuilder {
  private readonly stateIndex = new Map<string, number>();
  private readonly idemIndex = new Map<string, number>();
  private readonly updates: ShardUpdate[] = [];
  /** Update index (in the batch) of each of this call's replies. */
  readonly replyTo: number[] = [];

  constructor(readonly slot: number) {}

  add(u: ShardUpdate, batchUpdateIndex: number): void {
    if (!this.stateIndex.has(u.stateKey)) this.stateIndex.set(u.stateKey, this.stateIndex.size);
    if (!this.idemIndex.has(u.idempotencyKey)) this.idemIndex.set(u.idempotencyKey, this.idemIndex.size);
    this.updates.push(u);
    this.replyTo.push(batchUpdateIndex);
  }

  /** numKeys, then KEYS and ARGV as the script reads them. */
  build(stateTtlMs: string, idempotencyTtlMs: string): [number, ...(string | Buffer)[]] {
    const nStates = this.stateIndex.size;
    const nKeys = nStates + this.idemIndex.size;
    if (nKeys > MAX_KEYS_PER_CALL) {
      throw new RangeError(
        `a shard call touches ${nKeys} keys, more than ${MAX_KEYS_PER_CALL}: use smaller batches`,
      );
    }
    const packed = Buffer.allocUnsafe(2 + UPDATE_BYTES * this.updates.length);
    packed.writeUInt16LE(nStates, 0);
    let o = 2;
    const fields: string[] = new Array<string>(this.updates.length);
    for (let i = 0; i < this.updates.length; i++) {
      const u = this.updates[i]!;
      o = packed.writeUInt16LE(this.stateIndex.get(u.stateKey)! + 1, o);
      o = packed.writeUInt16LE(nStates + this.idemIndex.get(u.idempotencyKey)! + 1, o);
      o = packed.writeUInt8(u.role, o);
      o = packed.writeUInt8(u.isTransfer ? 1 : 0, o);
      o = packed.writeDoubleLE(u.eventTime, o);
      o = packed.writeDoubleLE(u.amountMinor, o);
      fields[i] = u.field;
    }
    // Map iteration order is insertion order, matching the indexes handed out in add().
    return [
      nKeys,
      ...this.stateIndex.keys(),
      ...this.idemIndex.keys(),
      stateTtlMs,
      idempotencyTtlMs,
      packed,
      ...fields,
    ];
  }

  get size(): number {
    return this.updates.length;
  }

  /** Distinct keys so far (states and idempotency hashes). */
  get keyCount(): number {
    return this.stateIndex.size + this.idemIndex.size;
  }
}
