import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  ContractSerde,
  contractType,
  type ContractName,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import { FEATURE_COUNT, MemoryFeatureStore, type FeatureMatrix } from '@fraud/features';
import { DLQ_HEADERS } from '@fraud/kafka';
import type { ActiveModel } from '@fraud/scoring';
import { BatchProcessor, LOGGED_FINGERPRINT_HEX_DIGITS } from './batch-processor.ts';
import type { ScoredChunk } from './model-ops/shadow-metrics.ts';
import { makeTransactions } from './testing/transactions.ts';

const NOW = Date.UTC(2026, 5, 1);
const SCHEMA_IDS: Partial<Record<ContractName, number>> = {
  transaction: 1,
  'fraud-decision': 2,
  'fraud-alert': 3,
};

/**
 * An in-process stand-in for the registry client (unit tests only; the integration tests use
 * Apicurio): every contract has a fixed id. `down` makes lookups fail as an outage would.
 */
function fakeRegistry(state: { down?: boolean } = {}): SchemaRegistry {
  const byId = new Map(Object.entries(SCHEMA_IDS).map(([name, id]) => [id, name as ContractName]));
  return {
    getRegistryIdBySchema: (subject: string) => Promise.resolve(SCHEMA_IDS[subject as ContractName]),
    register: () => Promise.reject(new Error('not used')),
    getSchema: (id: number) => {
      if (state.down) return Promise.reject(new Error('connect ECONNREFUSED'));
      const name = byId.get(id);
      return name
        ? Promise.resolve(contractType(name))
        : Promise.reject(Object.assign(new Error('404'), { status: 404 }));
    },
  } as unknown as SchemaRegistry;
}

async function serdes(registry: SchemaRegistry) {
  const transactionSerde = new ContractSerde<Transaction>(registry, 'transaction');
  const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
  const alertSerde = new ContractSerde<FraudAlert>(registry, 'fraud-alert');
  // The subject names are the contract names here (see fakeRegistry).
  await transactionSerde.registerWriter('transaction');
  await decisionSerde.registerWriter('fraud-decision');
  await alertSerde.registerWriter('fraud-alert');
  return { transactionSerde, decisionSerde, alertSerde };
}

/** A deterministic model: the score is the row's first feature squashed, flagged above 0.5. */
function fakeModel(options: { version?: string; fail?: boolean; review?: number } = {}): ActiveModel {
  return {
    version: options.version ?? 'v-test',
    featureFingerprint: 'f'.repeat(64),
    thresholds: { review: options.review ?? 0.5, block: 0.9 },
    score: (matrix: FeatureMatrix) => {
      if (options.fail) return Promise.reject(new Error('challenger session lost'));
      const scores = new Float32Array(matrix.rows);
      for (let r = 0; r < matrix.rows; r++) scores[r] = (r % 4) / 3; // 0, 1/3, 2/3, 1
      return Promise.resolve(scores);
    },
    explainRows: (matrix, rows) =>
      Array.from(rows, (row) => [
        { feature: `f${row}`, value: matrix.data[row * matrix.cols] ?? null, contribution: 1 },
      ]),
  };
}

function messages(txs: readonly Transaction[], serde: ContractSerde<Transaction>, first = 0): KafkaMessage[] {
  return txs.map((tx, i) => message(serde.encode(tx), first + i));
}

function message(value: Buffer | null, offset: number): KafkaMessage {
  return {
    key: Buffer.from(`k${offset}`),
    value,
    offset: String(offset),
    timestamp: String(NOW - 1_000),
    attributes: 0,
    headers: {},
  };
}

async function setup(
  options: { challenger?: ActiveModel; featureLog?: 'decision' | 'off'; registryDown?: boolean } = {},
) {
  const registryState = { down: false };
  const registry = fakeRegistry(registryState);
  const s = await serdes(registry);
  const featureStore = new MemoryFeatureStore();
  const chunks: ScoredChunk[] = [];
  const shadowErrors: { error: unknown; version: string }[] = [];
  const processor = new BatchProcessor({
    ...s,
    featureStore,
    models: { current: () => fakeModel(), challenger: () => options.challenger },
    maxFutureSkewMs: 60_000,
    featureLog: options.featureLog,
    now: () => NOW,
    observer: { onChunk: (chunk) => chunks.push(chunk) },
    onShadowError: (error, version) => shadowErrors.push({ error, version }),
  });
  return { ...s, processor, featureStore, chunks, shadowErrors, registryState };
}

const txs = (count: number, runId = 'bp') => makeTransactions(count, 7, runId, NOW);

describe('BatchProcessor', () => {
  it('scores every valid record once, alerts the flagged ones with their reasons, logs the features', async () => {
    const { processor, transactionSerde, decisionSerde, alertSerde, chunks } = await setup();
    const input = txs(8);
    const out = await processor.process('payments', 2, messages(input, transactionSerde));

    expect(out.deadLetters).toEqual([]);
    expect(out.modelVersion).toBe('v-test');
    expect(out.challengerVersion).toBeUndefined();
    const decisions = out.decisions.map((m) => decisionSerde.decodePrepared(m.value as Buffer).value);
    expect(decisions.map((d) => d.transactionId)).toEqual(input.map((t) => t.transactionId));
    // Scores 0, 1/3, 2/3, 1 repeating, at review 0.5 and block 0.9.
    expect(decisions.map((d) => d.decision)).toEqual(
      [...Array<string>(2)].flatMap(() => ['ALLOW', 'ALLOW', 'REVIEW', 'BLOCK']),
    );
    for (const [row, d] of decisions.entries()) {
      expect(d.scoredAt).toBe(NOW);
      expect(d.features?.featureSetFingerprint).toBe('f'.repeat(LOGGED_FINGERPRINT_HEX_DIGITS));
      expect(d.features?.values).toHaveLength(FEATURE_COUNT);
      expect(d.reasonCodes).toEqual(
        d.decision === 'ALLOW' ? [] : [expect.objectContaining({ feature: `f${row}` })],
      );
      expect(d.challengerModelVersion).toBeNull();
    }
    // Rows differ, so each decision carries its own vector (the shared scratch array is copied).
    expect(decisions[0]!.features!.values).not.toEqual(decisions[1]!.features!.values);

    const alerts = out.alerts.map((m) => alertSerde.decodePrepared(m.value as Buffer).value);
    expect(alerts.map((a) => a.transactionId)).toEqual(
      decisions.filter((d) => d.decision !== 'ALLOW').map((d) => d.transactionId),
    );
    expect(alerts.every((a) => a.reasonCodes.length === 1)).toBe(true);
    expect(out.alerts.map((m) => m.key)).toEqual(alerts.map((a) => a.transactionId));

    expect(out.scored.map((s) => s.appendTime)).toEqual(input.map(() => NOW - 1_000));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.explained).toBe(4);
  });

  it('dead-letters undecodable, unknown-schema and invalid records with their reason and writes no state for them', async () => {
    const { processor, transactionSerde, featureStore } = await setup();
    const [good, invalid] = txs(2);
    const negative = { ...invalid!, amountMinor: -5 };
    const unknownSchema = Buffer.from(transactionSerde.encode(good!));
    unknownSchema.writeUInt32BE(99, 1);
    const chunk = [
      message(transactionSerde.encode(good!), 10),
      message(Buffer.from([1, 2, 3]), 11),
      message(transactionSerde.encode(negative), 12),
      message(unknownSchema, 13),
      message(null, 14),
    ];
    const out = await processor.process('payments', 0, chunk);

    expect(out.scored.map((s) => s.transactionId)).toEqual([good!.transactionId]);
    expect(out.deadLettered.map((d) => [d.offset, d.reason])).toEqual([
      ['11', 'decode'],
      ['12', 'invalid'],
      ['13', 'unknown_schema'],
      ['14', 'decode'],
    ]);
    expect(out.deadLettered[1]!.error.message).toMatch(/amountMinor/);
    // The dead letter is the original record plus headers that say why and where it came from.
    const dlq = out.deadLetters[1]!;
    expect(dlq.value).toEqual(chunk[2]!.value);
    expect(dlq.key).toEqual(chunk[2]!.key);
    expect(dlq.headers?.[DLQ_HEADERS.reason]).toBe('invalid');
    expect(dlq.headers?.[DLQ_HEADERS.sourceOffset]).toBe('12');
    expect(dlq.headers?.[DLQ_HEADERS.sourcePartition]).toBe('0');

    // The invalid transaction wrote no state: scoring it fixed later starts from a fresh account.
    const fresh = new MemoryFeatureStore();
    const fixed = { ...negative, amountMinor: 5 };
    expect((await featureStore.applyBatch([fixed])).data).toEqual((await fresh.applyBatch([fixed])).data);
  });

  it('rejects the whole chunk on a registry outage (retried), instead of dead-lettering it', async () => {
    const { processor, transactionSerde, registryState } = await setup();
    const unseen = Buffer.from(transactionSerde.encode(txs(1)[0]!));
    unseen.writeUInt32BE(3, 1); // an id this serde has not loaded yet
    registryState.down = true;
    await expect(processor.process('payments', 0, [message(unseen, 0)])).rejects.toThrow(/registry/);
  });

  it('keeps deciding when the shadow challenger fails: no challenger scores, the error reported once', async () => {
    const { processor, transactionSerde, decisionSerde, shadowErrors, chunks } = await setup({
      challenger: fakeModel({ version: 'v-shadow', fail: true }),
    });
    const out = await processor.process('payments', 1, messages(txs(4), transactionSerde));
    expect(out.scored).toHaveLength(4);
    expect(out.challengerVersion).toBeUndefined();
    expect(shadowErrors.map((e) => [e.version, (e.error as Error).message])).toEqual([
      ['v-shadow', 'challenger session lost'],
    ]);
    const decision = decisionSerde.decodePrepared(out.decisions[0]!.value as Buffer).value;
    expect(decision.challengerModelVersion).toBeNull();
    expect(decision.challengerScore).toBeNull();
    expect(chunks[0]!.challenger).toBeUndefined();
  });

  it('carries the challenger score beside the champion when the shadow model works', async () => {
    const { processor, transactionSerde, decisionSerde } = await setup({
      challenger: fakeModel({ version: 'v-shadow' }),
    });
    const out = await processor.process('payments', 1, messages(txs(4), transactionSerde));
    expect(out.challengerVersion).toBe('v-shadow');
    const values = out.decisions.map((m) => decisionSerde.decodePrepared(m.value as Buffer).value);
    expect(values.map((d) => d.challengerScore)).toEqual(values.map((d) => d.score));
    expect(values.every((d) => d.challengerModelVersion === 'v-shadow')).toBe(true);
  });

  it('logs no feature vector with featureLog off, and an all-dead chunk calls no observer', async () => {
    const { processor, transactionSerde, decisionSerde, chunks } = await setup({ featureLog: 'off' });
    const out = await processor.process('payments', 0, messages(txs(2), transactionSerde));
    expect(decisionSerde.decodePrepared(out.decisions[0]!.value as Buffer).value.features).toBeNull();

    const dead = await processor.process('payments', 0, [message(Buffer.from([0]), 5)]);
    expect(dead.decisions).toEqual([]);
    expect(dead.deadLettered).toHaveLength(1);
    expect(chunks).toHaveLength(1);
  });
});
