/**
 * OffsetFetch v7 with `require_stable` (KIP-447), which kafkajs 2.2.4 does not have (it stops at
 * v4), sent over kafkajs' own broker connection (TLS, SASL and MSK IAM included).
 *
 * Why: after a transaction commits, the group coordinator materializes its offsets asynchronously
 * (a task on the broker's scheduler, after the markers are written). An OffsetFetch below v7 can
 * run in between and return the offset from before the commit; a new owner of the partition then
 * redoes what was just committed. Measured here: ~200 duplicate decisions per zombie takeover on
 * a loaded machine. With `require_stable` the broker answers UNSTABLE_OFFSET_COMMIT while any
 * transactional offset of the partition is pending, and this module retries until it is final.
 *
 * It reaches into kafkajs internals (the client's private cluster factory and the broker
 * connection pool), so the kafkajs version is pinned to 2.2.x and the integration tests exercise
 * it against the real broker; on any other version it refuses to run rather than guess.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';

const API_KEY_OFFSET_FETCH = 9;
const VERSION = 7;
const UNSTABLE_OFFSET_COMMIT = 88;
/** Errors that mean "ask again shortly" (coordinator moving or loading, offsets pending). */
const RETRIABLE = new Set([UNSTABLE_OFFSET_COMMIT, 14 /* COORDINATOR_LOAD_IN_PROGRESS */, 15, 16]);

/** The protocol error the broker answered with. */
export class OffsetFetchError extends Error {
  constructor(
    readonly code: number,
    readonly groupId: string,
  ) {
    super(`OffsetFetch v${VERSION} for group ${groupId} failed with error code ${code}`);
    this.name = 'OffsetFetchError';
  }
}

interface KafkajsBroker {
  connectionPool: { send(request: unknown): Promise<unknown> };
}
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(args: { groupId: string }): Promise<KafkajsBroker>;
}

function createCluster(kafka: Kafka): KafkajsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory = symbol && (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== 'function') {
    throw new Error('stable OffsetFetch needs kafkajs 2.2.x (its private cluster factory was not found)');
  }
  return (factory as (o: object) => KafkajsCluster)({});
}

// --- flexible-version encoding (KIP-482): unsigned varints, compact strings and arrays ---------

function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function compactString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([uvarint(bytes.length + 1), bytes]);
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

const EMPTY_TAGS = Buffer.from([0]);

export function encodeOffsetFetchV7(groupId: string, topic: string, partitions: number[]): Buffer {
  return Buffer.concat([
    EMPTY_TAGS, // request header v2: kafkajs writes v1, the header's tagged fields lead our body
    compactString(groupId),
    uvarint(2), // one topic
    compactString(topic),
    uvarint(partitions.length + 1),
    ...partitions.map(int32),
    EMPTY_TAGS,
    Buffer.from([1]), // require_stable
    EMPTY_TAGS,
  ]);
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf.readUInt8(this.offset++);
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  compactString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const s = this.buf.toString('utf8', this.offset, this.offset + n - 1);
    this.offset += n - 1;
    return s;
  }
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      this.offset += this.uvarint(); // size + data
    }
  }
}

export interface PartitionOffset {
  partition: number;
  /** -1 when the group has no committed offset for it. */
  offset: bigint;
  errorCode: number;
}

export function decodeOffsetFetchV7(payload: Buffer): { errorCode: number; partitions: PartitionOffset[] } {
  const r = new Reader(payload);
  r.skipTags(); // response header v1
  r.int32(); // throttle_time_ms
  const partitions: PartitionOffset[] = [];
  const topics = r.uvarint() - 1;
  for (let t = 0; t < topics; t++) {
    r.compactString();
    const count = r.uvarint() - 1;
    for (let p = 0; p < count; p++) {
      const partition = r.int32();
      const offset = r.int64();
      r.int32(); // committed_leader_epoch
      r.compactString(); // metadata
      const errorCode = r.int16();
      r.skipTags();
      partitions.push({ partition, offset, errorCode });
    }
    r.skipTags();
  }
  const errorCode = r.int16();
  r.skipTags();
  return { errorCode, partitions };
}

/**
 * Reads committed offsets with `require_stable`: while a transaction's offsets for one of the
 * partitions are pending, the broker says so and this waits (bounded by `timeoutMs`).
 */
export class StableOffsetReader {
  private cluster: KafkajsCluster | undefined;

  constructor(private readonly kafka: Kafka) {}

  async connect(): Promise<void> {
    const cluster = createCluster(this.kafka);
    await cluster.connect();
    this.cluster = cluster;
  }

  async disconnect(): Promise<void> {
    await this.cluster?.disconnect();
    this.cluster = undefined;
  }

  /** The committed offset of `topic[partition]` for `groupId` once no transaction has it pending; -1 when none. */
  async fetch(groupId: string, topic: string, partition: number, timeoutMs = 60_000): Promise<bigint> {
    if (!this.cluster) throw new Error('StableOffsetReader.connect() was not called');
    const deadline = Date.now() + timeoutMs;
    let backoffMs = 10;
    for (;;) {
      const broker = await this.cluster.findGroupCoordinator({ groupId });
      const body = encodeOffsetFetchV7(groupId, topic, [partition]);
      const result = (await broker.connectionPool.send({
        request: {
          apiKey: API_KEY_OFFSET_FETCH,
          apiVersion: VERSION,
          apiName: 'OffsetFetch',
          encode: () => ({ buf: body, buffer: body }),
        },
        response: {
          decode: (payload: Buffer) => Promise.resolve(decodeOffsetFetchV7(payload)),
          parse: (data: unknown) => Promise.resolve(data),
        },
      })) as ReturnType<typeof decodeOffsetFetchV7>;
      const code = result.errorCode || (result.partitions[0]?.errorCode ?? 0);
      if (code === 0) return result.partitions[0]?.offset ?? -1n;
      if (!RETRIABLE.has(code) || Date.now() > deadline) throw new OffsetFetchError(code, groupId);
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 500);
    }
  }
}
