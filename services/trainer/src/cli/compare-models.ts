/**
 * `npm run compare-models`: champion vs shadow challenger on live traffic, once labels arrive.
 * Reads fraud.decisions and fraud.labels from the beginning (read_committed, a throwaway consumer
 * group that commits nothing), stops when caught up, idle, or at the time/record bound, and
 * prints precision/recall of each model at its own thresholds (table, or JSON with --json).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { withStackEnv } from '@fraud/config';
import {
  ContractSerde,
  TOPICS,
  type FraudDecision,
  type FraudLabel,
  type Thresholds,
} from '@fraud/contracts';
import { readModelRegistry, validateManifest } from '@fraud/model';
import { REPO_ROOT } from '../python-step.ts';
import { numberArg, parseCli, runCli, UsageError } from '@fraud/config';
import { compareModels, formatComparison, type ComparedDecision } from './model-comparison.ts';

const USAGE = `usage: npm run compare-models -- [options]

  --decisions TOPIC   decisions topic (default ${TOPICS.decisions})
  --labels TOPIC      labels topic (default ${TOPICS.labels})
  --models DIR        models directory, for challenger thresholds (default <repo>/models)
  --max-seconds N     stop reading after N seconds (default 60)
  --max-records N     stop after N records of both topics together (default 5000000)
  --idle-ms N         stop after N ms without a record once something was read (default 3000)
  --json FILE         also write the report as JSON to FILE ("-" = stdout instead of the table)

Kafka and the schema registry come from KAFKA_BROKERS / SCHEMA_REGISTRY_URL (or .local/stack.env).`;

/** Challenger thresholds from its manifest in the models directory; undefined if not found. */
async function thresholdsFrom(modelsDir: string): Promise<(version: string) => Thresholds | undefined> {
  const found = new Map<string, Thresholds>();
  try {
    const registry = await readModelRegistry(modelsDir);
    for (const entry of registry.versions) {
      try {
        const file = path.join(modelsDir, entry.path, 'manifest.json');
        found.set(entry.version, validateManifest(JSON.parse(await readFile(file, 'utf8')), file).thresholds);
      } catch {
        // a broken version directory only loses that version's thresholds
      }
    }
  } catch {
    // no registry: every challenger's thresholds are unknown
  }
  return (version) => found.get(version);
}

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    decisions: { type: 'string' },
    labels: { type: 'string' },
    models: { type: 'string' },
    'max-seconds': { type: 'string' },
    'max-records': { type: 'string' },
    'idle-ms': { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const maxSeconds = numberArg(a['max-seconds'], 'max-seconds') ?? 60;
  const maxRecords = numberArg(a['max-records'], 'max-records') ?? 5_000_000;
  const idleMs = numberArg(a['idle-ms'], 'idle-ms') ?? 3_000;
  if (!(maxSeconds > 0) || !(maxRecords > 0) || !(idleMs > 0)) {
    throw new UsageError('--max-seconds, --max-records and --idle-ms must be > 0');
  }
  const topics = { decisions: a.decisions ?? TOPICS.decisions, labels: a.labels ?? TOPICS.labels };
  const env = withStackEnv();
  if (!env.KAFKA_BROKERS || !env.SCHEMA_REGISTRY_URL) {
    throw new UsageError('KAFKA_BROKERS and SCHEMA_REGISTRY_URL must be set (or run `make up`)');
  }
  const challengerThresholds = await thresholdsFrom(a.models ?? path.join(REPO_ROOT, 'models'));

  const kafka = new Kafka({
    clientId: 'compare-models',
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const registry = new SchemaRegistry({ host: env.SCHEMA_REGISTRY_URL });
  const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
  const labelSerde = new ContractSerde<FraudLabel>(registry, 'fraud-label');

  // Where "caught up" is: the end offsets when we start (later records are out of scope).
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of [topics.decisions, topics.labels]) {
      if (!existing.has(topic)) throw new UsageError(`topic ${topic} does not exist on ${env.KAFKA_BROKERS}`);
    }
    for (const topic of [topics.decisions, topics.labels]) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }

  const decisions = new Map<string, ComparedDecision>();
  const labels = new Map<string, boolean>();
  const seen = new Map<string, number>();
  let records = 0;
  let lastRecordAt = Date.now();
  const consumer = kafka.consumer({
    groupId: `compare-models-${process.pid}-${Date.now()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.decisions, topics.labels], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (records >= maxRecords) return;
        records++;
        lastRecordAt = Date.now();
        seen.set(`${topic}/${partition}`, Number(message.offset));
        if (topic === topics.decisions) {
          const { value } = await decisionSerde.decode(message.value);
          decisions.set(value.transactionId, value);
        } else {
          const { value } = await labelSerde.decode(message.value);
          labels.set(value.transactionId, value.isFraud);
        }
      },
    });
    const started = Date.now();
    // A transactional topic ends with a commit marker, so the last record sits at end - 2 or end - 1.
    const caughtUp = () => [...ends].every(([key, end]) => (seen.get(key) ?? -1) >= end - 2);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const now = Date.now();
      if (records >= maxRecords || now - started > maxSeconds * 1000) break;
      if (caughtUp() && now - lastRecordAt > 500) break;
      if (records > 0 && now - lastRecordAt > idleMs) break;
      if (ends.size === 0) break;
    }
  } finally {
    await consumer.disconnect();
  }

  const report = compareModels(decisions.values(), labels, challengerThresholds);
  if (a.json === '-') {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatComparison(report));
  if (a.json) await writeFile(a.json, `${JSON.stringify(report, null, 2)}\n`);
});
