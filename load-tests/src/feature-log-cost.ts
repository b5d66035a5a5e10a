/**
 * `npx tsx load-tests/src/feature-log-cost.ts [--transactions N] [--rounds R] [--json FILE]`
 *
 * What logging each decision's feature vector costs, for the two designs of issue 14, measured in
 * ONE process with the modes interleaved (so machine noise hits all of them alike; compare ratios):
 *
 * - `off`:      decisions as before (features = null);
 * - `decision`: the vector inside the decision record (the additive FraudDecision field);
 * - `topic`:    decisions as before plus one more record per transaction on a separate topic
 *               (`fraud.features`: transactionId, modelVersion, fingerprint, eventTime, vector).
 *
 * Per transaction it reports payload bytes (key + value, what the broker stores before batching
 * overhead; a separate record also pays Kafka's per-record framing, ~8-12 bytes, and its key
 * again) and the CPU of the worker-side work: Avro encoding plus a real transactional kafkajs
 * produce (chunks of 512, as the scorer) to private topics on the local broker.
 * Realistic vectors: simulator transactions through the real feature code (memory store).
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { loadStackSettings } from '@fraud/config';
import { ContractSerde, valueSubject, type FraudDecision } from '@fraud/contracts';
import { FEATURE_SET_FINGERPRINT, MemoryFeatureStore } from '@fraud/features';
import { simulate } from '@fraud/simulator';

const { values: args } = parseArgs({
  options: {
    transactions: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const n = Number(args.transactions);
const rounds = Number(args.rounds);
const CHUNK = 512;

// The separate-topic record the `topic` design would need (not a contract: measured only).
const featureLogType = avro.Type.forSchema({
  type: 'record',
  name: 'FeatureLog',
  fields: [
    { name: 'transactionId', type: 'string' },
    { name: 'modelVersion', type: 'string' },
    { name: 'featureSetFingerprint', type: 'string' },
    { name: 'eventTime', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'values', type: { type: 'array', items: 'float' } },
  ],
});

const stack = loadStackSettings(process.env, { redis: false });
const run = `flcost-${process.pid}-${Date.now()}`;
const topics = { decisions: `${run}.decisions`, features: `${run}.features` };
const kafka = new Kafka({ clientId: run, brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
const registry = new SchemaRegistry({ host: stack.schemaRegistryUrl });
const serde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
await serde.registerWriter(valueSubject(topics.decisions));

// Realistic inputs: simulated transactions through the real feature code.
const txs = [...simulate({ seed: 11, transactions: n, startTimeMs: Date.UTC(2026, 0, 1) })].map((r) => r.tx);
const store = new MemoryFeatureStore();
const matrix = await store.applyBatch(txs);
const cols = matrix.cols;
const fingerprint = FEATURE_SET_FINGERPRINT.slice(0, 16);
const modelVersion = '20261124-194246-ab5cef43';

function decisionOf(i: number, withFeatures: boolean): FraudDecision {
  const tx = txs[i]!;
  return {
    transactionId: tx.transactionId,
    originAccountId: tx.originAccountId,
    destinationAccountId: tx.destinationAccountId,
    transactionType: tx.type,
    amountMinor: tx.amountMinor,
    currency: tx.currency,
    score: 0.0123,
    decision: 'ALLOW',
    thresholds: { review: 0.023, block: 0.837 },
    modelVersion,
    reasonCodes: [],
    eventTime: tx.eventTime,
    scoredAt: tx.eventTime + 50,
    challengerModelVersion: null,
    challengerScore: null,
    features: withFeatures
      ? {
          featureSetFingerprint: fingerprint,
          values: Array.from(matrix.data.subarray(i * cols, (i + 1) * cols)),
        }
      : null,
  };
}

type Mode = 'off' | 'decision' | 'topic';
function encodeChunk(mode: Mode, start: number, end: number): { decisions: Message[]; features: Message[] } {
  const decisions: Message[] = [];
  const features: Message[] = [];
  for (let i = start; i < end; i += 1) {
    const d = decisionOf(i, mode === 'decision');
    decisions.push({ key: d.transactionId, value: serde.encode(d) });
    if (mode === 'topic') {
      const value = featureLogType.toBuffer({
        transactionId: d.transactionId,
        modelVersion,
        featureSetFingerprint: FEATURE_SET_FINGERPRINT,
        eventTime: d.eventTime,
        values: Array.from(matrix.data.subarray(i * cols, (i + 1) * cols)),
      });
      // Confluent wire format adds 5 bytes (magic + schema id), as a registered contract would.
      features.push({ key: d.transactionId, value: Buffer.concat([Buffer.alloc(5), value]) });
    }
  }
  return { decisions, features };
}

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [topics.decisions, topics.features].map((topic) => ({ topic, numPartitions: 1 })),
});
const producer = kafka.producer({ transactionalId: run, idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

const results: Record<Mode, { encodeUs: number[]; produceUs: number[]; bytes: number }> = {
  off: { encodeUs: [], produceUs: [], bytes: 0 },
  decision: { encodeUs: [], produceUs: [], bytes: 0 },
  topic: { encodeUs: [], produceUs: [], bytes: 0 },
};
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
for (let round = 0; round < rounds; round += 1) {
  for (const mode of ['off', 'decision', 'topic'] as const) {
    let encodeUs = 0;
    let produceUs = 0;
    let bytes = 0;
    for (let s = 0; s < n; s += CHUNK) {
      const e = Math.min(n, s + CHUNK);
      let c = cpuUs();
      const { decisions, features } = encodeChunk(mode, s, e);
      encodeUs += cpuUs() - c;
      for (const m of [...decisions, ...features])
        bytes += (m.value as Buffer).length + Buffer.byteLength(m.key as string);
      c = cpuUs();
      const tx = await producer.transaction();
      await tx.sendBatch({
        topicMessages:
          mode === 'topic'
            ? [
                { topic: topics.decisions, messages: decisions },
                { topic: topics.features, messages: features },
              ]
            : [{ topic: topics.decisions, messages: decisions }],
      });
      await tx.commit();
      produceUs += cpuUs() - c;
    }
    results[mode].encodeUs.push(encodeUs / n);
    results[mode].produceUs.push(produceUs / n);
    results[mode].bytes = bytes / n;
  }
}
await producer.disconnect();
await admin.deleteTopics({ topics: [topics.decisions, topics.features] });
await admin.disconnect();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const report = Object.fromEntries(
  (['off', 'decision', 'topic'] as const).map((mode) => {
    const r = results[mode];
    const encode = median(r.encodeUs);
    const produce = median(r.produceUs);
    return [
      mode,
      {
        payload_bytes_per_tx: Math.round(r.bytes * 10) / 10,
        encode_cpu_us_per_tx: Math.round(encode * 100) / 100,
        produce_cpu_us_per_tx: Math.round(produce * 100) / 100,
        total_cpu_us_per_tx: Math.round((encode + produce) * 100) / 100,
        rounds: r.encodeUs.length,
      },
    ];
  }),
);
const out = { transactions: n, chunk: CHUNK, features: cols, report };
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
if (args.json) writeFileSync(args.json, `${JSON.stringify(out, null, 2)}\n`);
