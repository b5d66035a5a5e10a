import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { ContractError, DecodeError, RegistryUnavailableError, UnknownSchemaError } from './errors.ts';
import { isRegistryNotFound } from './registry-errors.ts';
import { contractType, schemaText, type ContractName } from './schemas.ts';

type RegistrySchema = Parameters<SchemaRegistry['getRegistryIdBySchema']>[1] & { schema: string };

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body. */
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export interface Decoded<T> {
  value: T;
  schemaId: number;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && error.status === 404;
}

/**
 * Encodes and decodes one contract through a Confluent-compatible schema registry.
 *
 * Decoding resolves the writer's schema (fetched once per schema id) against this code base's
 * reader schema, so producers on an older or newer compatible schema are read correctly. After the
 * first record of each schema id, encode and decode are synchronous and make no network calls.
 */
export class ContractSerde<T> {
  private readonly readerType: avro.Type;
  private writerId: number | undefined;
  private readonly resolvers = new Map<number, avro.Resolver | null>();
  /** Schema ids whose records cannot be read, with the reason; each record of them fails alone. */
  private readonly unusable = new Map<number, ContractError>();

  constructor(
    private readonly registry: SchemaRegistry,
    readonly contract: ContractName,
  ) {
    this.readerType = contractType(contract);
  }

  /**
   * Registers this code base's schema under `subject` (idempotent) and uses its id to encode.
   *
   * The schema is looked up first, so restarts and replicas never re-register. Only a schema the
   * subject does not hold yet is registered; the client's own compatibility-config pre-check can
   * fail when another process creates the subject at the same moment (the registry answers with
   * the new subject's default level), so that case looks the id up once more before giving up.
   */
  async registerWriter(subject: string): Promise<number> {
    const schema: RegistrySchema = { type: SchemaType.AVRO, schema: schemaText(this.contract) };
    let id = await this.lookUpId(subject, schema);
    if (id === undefined) {
      try {
        id = (await this.registry.register(schema, { subject })).id;
      } catch (error) {
        id = await this.lookUpId(subject, schema);
        if (id === undefined) throw error;
      }
    }
    this.writerId = id;
    this.resolvers.set(id, null); // reader schema == writer schema: no resolution needed
    return id;
  }

  /** The id of `schema` under `subject`, or undefined when the subject does not hold it. */
  private async lookUpId(subject: string, schema: RegistrySchema): Promise<number | undefined> {
    try {
      return await this.registry.getRegistryIdBySchema(subject, schema);
    } catch (error) {
      if (isRegistryNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Encodes with the registered writer schema; `registerWriter` must have run. */
  encode(value: T): Buffer {
    if (this.writerId === undefined) throw new Error(`${this.contract}: registerWriter() before encode()`);
    const body = this.readerType.toBuffer(value);
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    out.writeUInt8(MAGIC_BYTE, 0);
    out.writeUInt32BE(this.writerId, 1);
    body.copy(out, HEADER_BYTES);
    return out;
  }

  /**
   * Fetches and caches the writer schema for every id in `buffers` not seen yet. An id the
   * registry does not know, or whose schema cannot be read as this contract, is remembered so that
   * `decodePrepared` fails those records one by one; only registry outages reject (retry them).
   */
  async prepare(buffers: Iterable<Buffer | null>): Promise<void> {
    const missing = new Set<number>();
    for (const buffer of buffers) {
      const id = ContractSerde.schemaIdOf(buffer);
      if (id === undefined || this.resolvers.has(id)) continue;
      // Unknown ids are asked again next batch: the registry may have learnt them since.
      if (this.unusable.get(id) instanceof UnknownSchemaError) this.unusable.delete(id);
      if (!this.unusable.has(id)) missing.add(id);
    }
    for (const id of missing) {
      try {
        await this.loadWriter(id);
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        this.unusable.set(id, error);
      }
    }
  }

  /** Decodes one record; throws DecodeError/UnknownSchemaError for unusable bytes. */
  async decode(buffer: Buffer | null): Promise<Decoded<T>> {
    const id = ContractSerde.schemaIdOf(buffer);
    if (id !== undefined && !this.resolvers.has(id)) await this.loadWriter(id);
    return this.decodePrepared(buffer);
  }

  /** Synchronous decode for a record whose schema id `prepare` already loaded. */
  decodePrepared(buffer: Buffer | null): Decoded<T> {
    if (!buffer || buffer.length < HEADER_BYTES) {
      throw new DecodeError(
        `record of ${buffer?.length ?? 0} bytes is shorter than the ${HEADER_BYTES}-byte header`,
      );
    }
    if (buffer[0] !== MAGIC_BYTE) throw new DecodeError(`unknown magic byte ${buffer[0]} (expected 0)`);
    const schemaId = buffer.readUInt32BE(1);
    const unusable = this.unusable.get(schemaId);
    if (unusable) throw unusable;
    if (!this.resolvers.has(schemaId)) throw new UnknownSchemaError(schemaId);
    const resolver = this.resolvers.get(schemaId);
    try {
      const value = (
        resolver
          ? this.readerType.fromBuffer(buffer.subarray(HEADER_BYTES), resolver)
          : this.readerType.fromBuffer(buffer.subarray(HEADER_BYTES))
      ) as T;
      return { value, schemaId };
    } catch (error) {
      throw new DecodeError(
        `Avro body does not decode with schema ${schemaId}: ${(error as Error).message}`,
        schemaId,
        {
          cause: error,
        },
      );
    }
  }

  static schemaIdOf(buffer: Buffer | null): number | undefined {
    if (!buffer || buffer.length < HEADER_BYTES || buffer[0] !== MAGIC_BYTE) return undefined;
    return buffer.readUInt32BE(1);
  }

  private async loadWriter(id: number): Promise<void> {
    let writer: avro.Type;
    try {
      writer = (await this.registry.getSchema(id)) as unknown as avro.Type;
    } catch (error) {
      // A 404 is the record's fault (dead-letter it); anything else is the registry's (retry).
      if (isNotFound(error)) throw new UnknownSchemaError(id, { cause: error });
      throw new RegistryUnavailableError(`schema registry lookup of id ${id} failed: ${String(error)}`, {
        cause: error,
      });
    }
    try {
      this.resolvers.set(id, this.readerType.createResolver(writer));
    } catch (error) {
      throw new DecodeError(
        `schema ${id} cannot be read as ${this.contract}: ${(error as Error).message}`,
        id,
        {
          cause: error,
        },
      );
    }
  }
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

/** Sets a subject's compatibility level through the Confluent REST API (`PUT /config/{subject}`). */
export async function setSubjectCompatibility(
  registryUrl: string,
  subject: string,
  compatibility: Compatibility,
): Promise<void> {
  const response = await fetch(`${registryUrl.replace(/\/$/, '')}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility }),
  });
  if (!response.ok) {
    throw new Error(`PUT /config/${subject} -> HTTP ${response.status}: ${await response.text()}`);
  }
}
