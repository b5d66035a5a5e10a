/**
 * `make alerts`: the N most recent alerts from fraud_alerts with their reason codes (TreeSHAP
 * contributions to the log-odds, largest push toward fraud first). A bounded read: only the last
 * N records of each partition (read_committed), then it exits.
 *
 *   tsx scripts/demo-alerts.ts [--count 10] [--topic fraud_alerts] [--max-seconds 20]
 */
import { parseArgs } from 'node:util';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { withStackEnv } from '@fraud/config';
import { ContractSerde, TOPICS, type FraudAlert } from '@fraud/contracts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10' },
    topic: { type: 'string', default: TOPICS.alerts },
    'max-seconds': { type: 'string', default: '20' },
  },
});
const count = Number(values.count);
const maxSeconds = Number(values['max-seconds']);
if (!(Number.isInteger(count) && count > 0 && count <= 10_000))
  throw new Error(`--count must be an integer in [1, 10000], got ${values.count}`);
if (!(maxSeconds > 0)) throw new Error(`--max-seconds must be > 0, got ${values['max-seconds']}`);

const env = withStackEnv();
if (!env.KAFKA_BROKERS || !env.SCHEMA_REGISTRY_URL) {
  console.error('KAFKA_BROKERS and SCHEMA_REGISTRY_URL must be set (run `make up` first)');
  process.exit(1);
}
const kafka = new Kafka({
  clientId: 'demo-alerts',
  brokers: env.KAFKA_BROKERS.split(','),
  logLevel: logLevel.NOTHING,
});
const serde = new ContractSerde<FraudAlert>(
  new SchemaRegistry({ host: env.SCHEMA_REGISTRY_URL }),
  'fraud-alert',
);

const admin = kafka.admin();
await admin.connect();
let offsets: { partition: number; low: string; high: string }[];
try {
  if (!(await admin.listTopics()).includes(values.topic)) {
    console.error(`topic ${values.topic} does not exist yet (run \`make demo\` to produce some alerts)`);
    process.exit(1);
  }
  offsets = await admin.fetchTopicOffsets(values.topic);
} finally {
  await admin.disconnect();
}
// The last `count` records of each partition hold the most recent `count` overall; a
// transactional topic also holds commit markers, so read a little more than that.
const start = new Map(
  offsets.map((p) => [p.partition, Math.max(Number(p.low), Number(p.high) - 2 * count - 1)]),
);
const end = new Map(offsets.map((p) => [p.partition, Number(p.high)]));
const pending = new Set(offsets.filter((p) => Number(p.high) > Number(p.low)).map((p) => p.partition));

const alerts: FraudAlert[] = [];
if (pending.size > 0) {
  const consumer = kafka.consumer({
    groupId: `demo-alerts-${process.pid}-${Date.now()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: values.topic, fromBeginning: true });
  let lastRecordAt = Date.now();
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      lastRecordAt = Date.now();
      if (Number(message.offset) >= end.get(partition)! - 2) pending.delete(partition);
      if (Number(message.offset) >= end.get(partition)!) return; // newer than this read
      alerts.push((await serde.decode(message.value)).value);
    },
  });
  for (const [partition, offset] of start)
    consumer.seek({ topic: values.topic, partition, offset: String(offset) });
  const deadline = Date.now() + maxSeconds * 1000;
  // Done when every partition reached its end (or went quiet: the tail was only markers).
  while (
    pending.size > 0 &&
    Date.now() < deadline &&
    !(Date.now() - lastRecordAt > 2_000 && alerts.length > 0)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await consumer.disconnect();
}

const recent = alerts.sort((a, b) => b.scoredAt - a.scoredAt).slice(0, count);
if (recent.length === 0) console.log(`no alerts on ${values.topic}`);
for (const a of recent) {
  console.log(
    `${new Date(a.scoredAt).toISOString()}  ${a.decision.padEnd(6)} score ${a.score.toFixed(3)}  ${a.transactionType.padEnd(8)} ${(a.amountMinor / 100).toFixed(2).padStart(12)} ${a.currency}  ${a.transactionId}  model ${a.modelVersion}`,
  );
  if (a.reasonCodes.length === 0) console.log('    (no reason codes)');
  for (const r of a.reasonCodes) {
    const value = r.value === null ? 'missing' : Number(r.value.toPrecision(6)).toString();
    console.log(`    ${r.contribution >= 0 ? '+' : ''}${r.contribution.toFixed(3)}  ${r.feature} = ${value}`);
  }
}
process.exit(0);
