import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { stackSettings, uniqueName } from '@fraud/test-support';
import { DecodeError, UnknownSchemaError } from './errors.ts';
import { schemaText } from './schemas.ts';
import { ContractSerde, setSubjectCompatibility } from './serde.ts';
import type { Transaction } from './generated/types.generated.ts';

const settings = stackSettings();
const registry = new SchemaRegistry({ host: settings.schemaRegistryUrl });

const sample: Transaction = {
  transactionId: 't-1',
  eventTime: 1_700_000_000_000,
  type: 'CASH_OUT',
  amountMinor: 990_00,
  currency: 'USD',
  originAccountId: 'C1',
  destinationAccountId: 'C2',
  channel: 'WEB',
  deviceId: null,
  countryCode: 'GB',
  merchantCategory: null,
  originBalanceBeforeMinor: 1_000_00,
  originBalanceAfterMinor: 10_00,
  destinationBalanceBeforeMinor: null,
  destinationBalanceAfterMinor: null,
};

function evolved(mutate: (schema: { fields: Record<string, unknown>[] }) => void): string {
  const schema = JSON.parse(schemaText('transaction')) as { fields: Record<string, unknown>[] };
  mutate(schema);
  return JSON.stringify(schema);
}

async function register(subject: string, schema: string) {
  return registry.register({ type: SchemaType.AVRO, schema }, { subject });
}

describe('contracts against the real schema registry', () => {
  it('BACKWARD compatibility: an added optional field is accepted, an incompatible change is refused', async () => {
    const subject = `${uniqueName('contracts')}-value`;
    await register(subject, schemaText('transaction'));
    await setSubjectCompatibility(settings.schemaRegistryUrl, subject, 'BACKWARD');

    const withOptional = evolved((s) =>
      s.fields.push({ name: 'riskTier', type: ['null', 'string'], default: null }),
    );
    const accepted = await register(subject, withOptional);
    expect(accepted.id).toBeGreaterThan(0);

    const withRequired = evolved((s) => s.fields.push({ name: 'branchCode', type: 'string' }));
    await expect(register(subject, withRequired)).rejects.toThrow(/incompatible|409|compatib/i);
    const retyped = evolved((s) => {
      const amount = s.fields.find((f) => f.name === 'amountMinor')!;
      amount.type = 'string';
    });
    await expect(register(subject, retyped)).rejects.toThrow(/incompatible|409|compatib/i);
  });

  it('reads records written with a newer compatible schema through the reader schema', async () => {
    const subject = `${uniqueName('contracts-evolve')}-value`;
    const newer = evolved((s) =>
      s.fields.push({ name: 'riskTier', type: ['null', 'string'], default: null }),
    );
    const { id } = await register(subject, newer);
    const bytes = await registry.encode(id, { ...sample, riskTier: 'HIGH' });

    const serde = new ContractSerde<Transaction>(registry, 'transaction');
    const { value, schemaId } = await serde.decode(bytes);
    expect(schemaId).toBe(id);
    expect(value).toEqual(sample);
  });

  it('round-trips through encode/decode and names unusable bytes', async () => {
    const serde = new ContractSerde<Transaction>(registry, 'transaction');
    const id = await serde.registerWriter(`${uniqueName('contracts-rt')}-value`);
    const bytes = serde.encode(sample);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(id);
    expect((await serde.decode(bytes)).value).toEqual(sample);

    await expect(serde.decode(Buffer.from([0, 0, 1]))).rejects.toThrow(DecodeError);
    await expect(serde.decode(Buffer.from([7, 0, 0, 0, 1, 2]))).rejects.toThrow(/magic byte 7/);
    await expect(serde.decode(bytes.subarray(0, 10))).rejects.toThrow(DecodeError);
    const unknown = Buffer.from(bytes);
    unknown.writeUInt32BE(2_000_000_000, 1);
    await serde.prepare([unknown]);
    expect(() => serde.decodePrepared(unknown)).toThrow(UnknownSchemaError);
  });
});
