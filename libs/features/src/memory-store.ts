/**
 * In-memory FeatureStore for training replay and unit tests: same semantics as the Redis store
 * (same state update, same feature code), no I/O. Not safe to share between processes.
 */
import type { Transaction } from '@fraud/contracts';
import { FEATURE_COUNT, writeTransactionFeatures } from './definitions.ts';
import { EntityKind, entityUpdates } from './entities.ts';
import { FeatureStoreConfigError } from './errors.ts';
import { createMatrix, type FeatureMatrix } from './matrix.ts';
import { HISTORY_HORIZON_MS } from './parameters.ts';
import { H, emptyAccountState, updateAccountStateInPlace, type AccountState } from './state.ts';
import type { FeatureStore } from './store.ts';
import { assertUsable } from './usable.ts';

export interface MemoryFeatureStoreOptions {
  /**
   * How long (event time, behind the newest event seen) a transaction's features are kept for
   * redeliveries; 0 turns idempotency records off (a one-pass training replay needs none).
   * @default 86_400_000 (24 h)
   */
  idempotencyRetentionMs?: number;
  /**
   * Accounts idle (event time) longer than HISTORY_HORIZON_MS plus this are dropped. Dropping
   * never changes a feature (the horizon rule already ignores such state); it bounds memory.
   * @default 3_600_000 (1 h, like the Redis TTL's slack over the horizon)
   */
  stateSlackMs?: number;
  /**
   * Sweep for expired accounts and records every this many transactions.
   * @default 100_000
   */
  sweepEvery?: number;
}

interface SeenRecord {
  eventTime: number;
  row: Float32Array;
}

export class MemoryFeatureStore implements FeatureStore {
  private readonly accounts = new Map<string, AccountState>();
  private readonly indexes = new Map<string, AccountState>();
  private readonly seen = new Map<string, SeenRecord>();
  private readonly retentionMs: number;
  private readonly stateSlackMs: number;
  private readonly sweepEvery: number;
  private sinceSweep = 0;
  private newestEventTime = 0;

  constructor(options: MemoryFeatureStoreOptions = {}) {
    this.retentionMs = options.idempotencyRetentionMs ?? 86_400_000;
    this.stateSlackMs = options.stateSlackMs ?? 3_600_000;
    this.sweepEvery = options.sweepEvery ?? 100_000;
    if (!(this.retentionMs >= 0)) throw new FeatureStoreConfigError('idempotencyRetentionMs', 'must be >= 0');
    if (!(this.stateSlackMs >= 0)) throw new FeatureStoreConfigError('stateSlackMs', 'must be >= 0');
    if (!(this.sweepEvery >= 1)) throw new FeatureStoreConfigError('sweepEvery', 'must be >= 1');
  }

  // Async only to satisfy the interface (errors become rejections); training replay may call
  // applyBatchSync directly.
  // eslint-disable-next-line @typescript-eslint/require-await
  async applyBatch(txs: readonly Transaction[]): Promise<FeatureMatrix> {
    return this.applyBatchSync(txs);
  }

  applyBatchSync(txs: readonly Transaction[]): FeatureMatrix {
    assertUsable(txs);
    const m = createMatrix(txs.length, FEATURE_COUNT);
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const offset = i * FEATURE_COUNT;
      const before = this.retentionMs > 0 ? this.seen.get(tx.transactionId) : undefined;
      if (before) {
        m.data.set(before.row, offset);
        continue;
      }
      // The same updates in the same order as the Redis store (entities.ts); a self-transfer is one
      // update with both roles, so both sides see the state before tx.
      const updates = entityUpdates(tx);
      const views = updates.map((u) =>
        updateAccountStateInPlace(this.entity(u.kind, u.id), {
          eventTime: tx.eventTime,
          amountMinor: tx.amountMinor,
          isTransfer: u.isTransfer,
          role: u.role,
        }),
      );
      writeTransactionFeatures(tx, updates, views, m.data, offset);
      if (this.retentionMs > 0) {
        this.seen.set(tx.transactionId, {
          eventTime: tx.eventTime,
          row: m.data.slice(offset, offset + FEATURE_COUNT),
        });
      }
      if (tx.eventTime > this.newestEventTime) this.newestEventTime = tx.eventTime;
      if (++this.sinceSweep >= this.sweepEvery) this.sweep();
    }
    return m;
  }

  /** The account's current state (tests compare it with the Redis store's), or undefined. */
  accountState(accountId: string): AccountState | undefined {
    return this.accounts.get(accountId);
  }

  accountIds(): IterableIterator<string> {
    return this.accounts.keys();
  }

  get size(): { accounts: number; idempotencyRecords: number } {
    return { accounts: this.accounts.size, idempotencyRecords: this.seen.size };
  }

  /** Index entities (amount, device and country pairs) by `<kind>:<id>`, as the Redis key suffix. */
  indexStates(): IterableIterator<[string, AccountState]> {
    return this.indexes.entries();
  }

  private entity(kind: EntityKind, id: string): AccountState {
    const map = kind === EntityKind.ACCOUNT ? this.accounts : this.indexes;
    const key = kind === EntityKind.ACCOUNT ? id : `${kind}:${id}`;
    let s = map.get(key);
    if (!s) {
      s = emptyAccountState();
      map.set(key, s);
    }
    return s;
  }

  private sweep(): void {
    this.sinceSweep = 0;
    const stateCutoff = this.newestEventTime - HISTORY_HORIZON_MS - this.stateSlackMs;
    for (const map of [this.accounts, this.indexes]) {
      for (const [id, s] of map) if (s.header[H.lastEventTime]! < stateCutoff) map.delete(id);
    }
    const seenCutoff = this.newestEventTime - this.retentionMs;
    for (const [id, r] of this.seen) if (r.eventTime < seenCutoff) this.seen.delete(id);
  }
}
