/** Helpers for this package's tests (not exported from the package). */
import type { Transaction } from '@fraud/contracts';
import type { Redis } from 'ioredis';
import type { FeatureMatrix } from '../matrix.ts';

export function tx(
  overrides: Partial<Transaction> & Pick<Transaction, 'transactionId' | 'eventTime'>,
): Transaction {
  return {
    type: 'PAYMENT',
    amountMinor: 1_000,
    currency: 'USD',
    originAccountId: 'C1',
    destinationAccountId: 'M1',
    channel: null,
    deviceId: null,
    countryCode: null,
    merchantCategory: null,
    originBalanceBeforeMinor: null,
    originBalanceAfterMinor: null,
    destinationBalanceBeforeMinor: null,
    destinationBalanceAfterMinor: null,
    ...overrides,
  };
}

/** Bit equality of Float32 values, where any NaN equals any NaN. Returns the first difference or undefined. */
export function firstDifference(
  a: Float32Array,
  b: Float32Array,
): { index: number; a: number; b: number } | undefined {
  if (a.length !== b.length) return { index: -1, a: a.length, b: b.length };
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i])))
      return { index: i, a: a[i]!, b: b[i]! };
  }
  return undefined;
}

export function concatRows(ms: FeatureMatrix[]): Float32Array {
  const out = new Float32Array(ms.reduce((n, m) => n + m.data.length, 0));
  let o = 0;
  for (const m of ms) {
    out.set(m.data, o);
    o += m.data.length;
  }
  return out;
}

/** Every key of a store's prefix (all carry the `{<prefix>:` hash tag). */
export async function prefixKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `{${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await prefixKeys(redis, prefix);
  for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
}

/** Splits txs into batches of pseudo-random sizes 1..maxBatch (deterministic for a given rnd). */
export function randomBatches<T>(items: readonly T[], maxBatch: number, rnd: () => number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length;) {
    const n = 1 + Math.floor(rnd() * maxBatch);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}
