/**
 * FeatureStore on Redis (standalone or Cluster): per batch, one pipeline of script calls (on a
 * standalone Redis one call for the batch; on a Cluster one call per virtual shard touched, each on
 * one hash slot, a transaction's origin and destination updates going to their accounts' shards),
 * then the features are computed in TypeScript from the prior views the script returns — the same
 * writeFeatures the memory store uses.
 */
import type { Transaction } from '@fraud/contracts';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { FEATURE_COUNT, writeTransactionFeatures } from './definitions.ts';
import { EntityKind, entityUpdates, type EntityUpdate } from './entities.ts';
import { FeatureStoreConfigError, FeatureStoreUnavailableError } from './errors.ts';
import { createMatrix, type FeatureMatrix } from './matrix.ts';
import { HISTORY_HORIZON_MS } from './parameters.ts';
import { accountKey, idempotencyKey, indexKey, keySlot, shardOf, shardTag } from './redis/keys.ts';
import { ACCOUNT_UPDATE_LUA } from './redis/script.ts';
import { MAX_KEYS_PER_CALL, ShardCallBuilder } from './redis/shard-call.ts';
import type { FeatureStore } from './store.ts';
import { assertUsable } from './usable.ts';
import { decodeView } from './view.ts';

/** The store's TTL defaults, written once: the scorer's and the API's env defaults are these. */
export const REDIS_STORE_DEFAULTS = {
  /** 25 h: the 24 h history horizon plus an hour of processing lag. */
  ttlSeconds: 90_000,
  /** 1 h of redeliveries answered from the remembered views. */
  idempotencyTtlSeconds: 3_600,
} as const;

export interface RedisFeatureStoreOptions {
  /** The caller owns the client (connects and quits it); the store defines one script command on it. */
  redis: Redis | Cluster;
  /** Namespace of every key, e.g. `fs1`; must not contain '{' or '}'. */
  keyPrefix: string;
  /**
   * Account state lives this long after the account's last activity. Must cover the history
   * horizon (24 h), or serving would forget what training remembers. Stored as this plus
   * STATE_TTL_REFRESH_SLACK_SECONDS, renewed when the account's event hour advances.
   * @default 90_000 (25 h: the horizon plus an hour of processing lag)
   */
  ttlSeconds?: number;
  /**
   * How long a transaction's prior views are kept to answer redeliveries. Costs about 2 x 200 bytes
   * per transaction in Redis, so size it to the redelivery horizon, not to forever.
   * @default 3_600 (1 h)
   */
  idempotencyTtlSeconds?: number;
  /**
   * Accounts are spread over this many virtual shards (one hash slot each); on a Redis Cluster a
   * batch makes one script call per shard it touches (on a standalone Redis, one call for the
   * whole batch). More shards spread a Cluster more evenly; fewer amortize its per-call cost
   * better. Part of the key layout: changing it needs a new keyPrefix.
   * @default 64
   */
  shards?: number;
  /**
   * A batch that has not answered by then fails with FeatureStoreUnavailableError (the pipeline may
   * still complete later; retrying is safe because updates are idempotent).
   * @default 5_000
   */
  timeoutMs?: number;
}

const COMMAND = 'fraudFeaturesShardUpdate';

/**
 * Standalone Redis: the whole batch in one script call (any keys may meet in a script there), a
 * new call only when one would pass the key limit. Per call, Redis pays its fixed cost and the
 * client builds one command's objects, which the scoring API's young-generation GC keeps copying
 * while the pipeline is in flight. Updates stay in batch order across calls (one pipeline, run in
 * order), so every account still sees its updates in order.
 */
function standaloneCall(calls: ShardCallBuilder[]): ShardCallBuilder {
  const last = calls.at(-1);
  // An update adds at most two keys (its state and its idempotency hash).
  if (last !== undefined && last.keyCount + 2 <= MAX_KEYS_PER_CALL) return last;
  const call = new ShardCallBuilder(0);
  calls.push(call);
  return call;
}

interface ScriptPipeline {
  fraudFeaturesShardUpdateBuffer(numKeys: number, ...keysAndArgs: (string | Buffer)[]): unknown;
}

/**
 * A state's TTL is renewed when its event hour advances (and at creation), not on every write
 * (see account-update.lua), so it is set to ttlSeconds plus this slack: a state still lives at
 * least ttlSeconds after its latest update as long as an account's updates of one event hour are
 * processed within an hour of each other (a consumer keeping up, or draining a backlog faster).
 */
export const STATE_TTL_REFRESH_SLACK_SECONDS = 3_600;

export class RedisFeatureStore implements FeatureStore {
  private readonly redis: Redis | Cluster;
  private readonly tags: string[];
  private readonly shards: number;
  private readonly stateTtlMs: string;
  private readonly idemTtlMs: string;
  private readonly timeoutMs: number;

  constructor(options: RedisFeatureStoreOptions) {
    const ttl = options.ttlSeconds ?? REDIS_STORE_DEFAULTS.ttlSeconds;
    const idemTtl = options.idempotencyTtlSeconds ?? REDIS_STORE_DEFAULTS.idempotencyTtlSeconds;
    this.shards = options.shards ?? 64;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    if (!options.keyPrefix || /[{}]/.test(options.keyPrefix)) {
      throw new FeatureStoreConfigError('keyPrefix', 'must be non-empty and free of { and }');
    }
    if (!Number.isInteger(ttl) || ttl * 1000 < HISTORY_HORIZON_MS) {
      throw new FeatureStoreConfigError(
        'ttlSeconds',
        `must be an integer >= ${HISTORY_HORIZON_MS / 1000} (the history horizon)`,
      );
    }
    if (!Number.isInteger(idemTtl) || idemTtl < 1)
      throw new FeatureStoreConfigError('idempotencyTtlSeconds', 'must be an integer >= 1');
    if (!Number.isInteger(this.shards) || this.shards < 1 || this.shards > 16_384) {
      throw new FeatureStoreConfigError('shards', 'must be an integer in 1..16384');
    }
    if (!(this.timeoutMs > 0)) throw new FeatureStoreConfigError('timeoutMs', 'must be > 0');
    this.redis = options.redis;
    this.tags = Array.from({ length: this.shards }, (_, i) => shardTag(options.keyPrefix, i));
    this.stateTtlMs = String((ttl + STATE_TTL_REFRESH_SLACK_SECONDS) * 1000);
    this.idemTtlMs = String(idemTtl * 1000);
    // ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after a Redis restart), per connection.
    this.redis.defineCommand(COMMAND, { lua: ACCOUNT_UPDATE_LUA });
  }

  async applyBatch(txs: readonly Transaction[]): Promise<FeatureMatrix> {
    assertUsable(txs);
    const m = createMatrix(txs.length, FEATURE_COUNT);
    if (txs.length === 0) return m;
    const calls: ShardCallBuilder[] = [];
    // Which call an update joins depends on the deployment only: decided once per batch.
    const callFor = this.redis.isCluster ? this.clusterCalls(calls) : () => standaloneCall(calls);
    let updates = 0;
    const add = (tx: Transaction, u: EntityUpdate): void => {
      const isAccount = u.kind === EntityKind.ACCOUNT;
      const shard = shardOf(isAccount ? u.id : `${u.kind}:${u.id}`, this.shards);
      const tag = this.tags[shard]!;
      callFor(shard).add(
        {
          stateKey: isAccount ? accountKey(tag, u.id) : indexKey(tag, u.kind, u.id),
          idempotencyKey: idempotencyKey(tag, tx.eventTime),
          role: u.role,
          isTransfer: u.isTransfer,
          eventTime: tx.eventTime,
          amountMinor: tx.amountMinor,
          field: u.fieldPrefix + tx.transactionId,
        },
        updates++,
      );
    };
    // Each transaction's updates (entities.ts): its accounts, then the index entities that apply.
    const perTx = txs.map((tx) => {
      const us = entityUpdates(tx);
      for (const u of us) add(tx, u);
      return us;
    });
    const views = await this.run(calls, updates);
    let u = 0;
    for (let i = 0; i < txs.length; i++) {
      const us = perTx[i]!;
      const txViews = us.map(() => decodeView(views[u++]!));
      writeTransactionFeatures(txs[i]!, us, txViews, m.data, i * FEATURE_COUNT);
    }
    return m;
  }

  /** Cluster: one call per shard, so that each call's keys live in one hash slot. */
  private clusterCalls(calls: ShardCallBuilder[]): (shard: number) => ShardCallBuilder {
    const callOfShard = new Map<number, ShardCallBuilder>();
    return (shard) => {
      let call = callOfShard.get(shard);
      if (!call) {
        call = new ShardCallBuilder(keySlot(this.tags[shard]!));
        callOfShard.set(shard, call);
        calls.push(call);
      }
      return call;
    };
  }

  /** Runs the calls, one pipeline per Redis node, and returns the views by update index. */
  private async run(calls: ShardCallBuilder[], updates: number): Promise<Buffer[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FeatureStoreUnavailableError(`Redis did not answer a batch within ${this.timeoutMs} ms`),
          ),
        this.timeoutMs,
      );
    });
    try {
      const out = new Array<Buffer>(updates);
      await Promise.race([Promise.all(this.groupByNode(calls).map((g) => this.runGroup(g, out))), timeout]);
      return out;
    } catch (error) {
      if (error instanceof FeatureStoreUnavailableError) throw error;
      throw new FeatureStoreUnavailableError(`feature state update failed: ${String(error)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async runGroup(calls: ShardCallBuilder[], out: Buffer[]): Promise<void> {
    const pipeline: ChainableCommander = this.redis.pipeline();
    const p = pipeline as unknown as ScriptPipeline;
    for (const c of calls) p.fraudFeaturesShardUpdateBuffer(...c.build(this.stateTtlMs, this.idemTtlMs));
    const replies = await pipeline.exec();
    if (!replies || replies.length !== calls.length)
      throw new Error('pipeline returned no replies (connection closed?)');
    for (let k = 0; k < calls.length; k++) {
      const [err, reply] = replies[k]!;
      if (err) throw err;
      const call = calls[k]!;
      if (!Array.isArray(reply) || reply.length !== call.size) {
        throw new Error(`shard update script returned ${typeof reply}, not ${call.size} views`);
      }
      for (let j = 0; j < reply.length; j++) out[call.replyTo[j]!] = reply[j] as Buffer;
    }
  }

  /**
   * Standalone: one pipeline. Cluster: ioredis pipelines must stay on one node, so calls are grouped
   * by the node owning their slot (slot map unknown yet: by slot). Each account lives in one shard,
   * so its updates stay in batch order, which is all the point-in-time rule needs.
   */
  private groupByNode(calls: ShardCallBuilder[]): ShardCallBuilder[][] {
    if (!this.redis.isCluster) return [calls];
    const slots = (this.redis as Cluster).slots;
    const groups = new Map<string, ShardCallBuilder[]>();
    for (const c of calls) {
      const node = slots[c.slot]?.[0] ?? `slot:${c.slot}`;
      let g = groups.get(node);
      if (!g) groups.set(node, (g = []));
      g.push(c);
    }
    return [...groups.values()];
  }
}
