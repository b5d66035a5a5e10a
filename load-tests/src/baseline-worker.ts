/**
 * The baseline the benchmark compares the scorer with: the design most Kafka + Redis + ML
 * tutorials show. One message at a time (kafkajs eachMessage): decode, one awaited Redis round
 * trip (the same RedisFeatureStore and Lua script, with a batch of one), one onnxruntime call
 * (the same OnnxScorer and model, one row), then one plain, non-transactional producer send per
 * decision (and per alert); offsets auto-committed by kafkajs (at-least-once).
 *
 * Same features, same model, same topics and wire format as the scorer, so the difference the
 * benchmark measures is the per-message round trips, not the work. Configured with the scorer's
 * environment variable names (the bench harness starts it exactly like a scorer worker).
 */
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { loadStackSettings, withStackEnv } from '@fraud/config';
import {
  ContractError,
  ContractSerde,
  validateTransaction,
  valueSubject,
  type FraudAlert,
  type FraudDecision,
  type Transaction,
} from '@fraud/contracts';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT, RedisFeatureStore } from '@fraud/features';
import { OnnxScorer, decide, loadModelDirectory, readModelRegistry } from '@fraud/model';
import { createLogger } from '@fraud/observability';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    console.error(`baseline: ${name} is required`);
    process.exit(1);
  }
  return value;
}

const env = withStackEnv();
const stack = loadStackSettings(env);
const logger = createLogger({ name: 'fraud-baseline', level: env.LOG_LEVEL ?? 'info' });
const topics = {
  transactions: required(env, 'TOPIC_TRANSACTIONS'),
  decisions: required(env, 'TOPIC_DECISIONS'),
  alerts: required(env, 'TOPIC_ALERTS'),
};
const groupId = required(env, 'SCORER_GROUP_ID');
const instanceId = env.SCORER_INSTANCE_ID ?? 'baseline';
const concurrency = Number(env.SCORER_PARTITIONS_CONCURRENTLY ?? '1');
const modelsDir = path.resolve(env.MODEL_REGISTRY_DIR ?? 'models');

const kafka = new Kafka({
  clientId: `baseline-${instanceId}`,
  brokers: stack.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
const registry = new SchemaRegistry({ host: stack.schemaRegistryUrl });
const transactionSerde = new ContractSerde<Transaction>(registry, 'transaction');
const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
const alertSerde = new ContractSerde<FraudAlert>(registry, 'fraud-alert');
const redis = new Redis(stack.redisUrl, {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  password: stack.redisPassword,
});
const store = new RedisFeatureStore({ redis, keyPrefix: required(env, 'REDIS_KEY_PREFIX') });
const producer = kafka.producer();
const consumer = kafka.consumer({ groupId });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'shutting down');
  for (const step of [() => consumer.disconnect(), () => producer.disconnect(), () => redis.quit()]) {
    await step().catch((error: unknown) => logger.warn({ err: error }, 'shutdown step failed'));
  }
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  const modelRegistry = await readModelRegistry(modelsDir);
  const entry = modelRegistry.versions.find((v) => v.version === modelRegistry.champion)!;
  const loaded = await loadModelDirectory(path.join(modelsDir, entry.path), {
    expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
    expectedFeatureNames: FEATURE_NAMES,
  });
  const model = await OnnxScorer.fromModel(loaded);
  const { thresholds, version } = loaded.manifest;
  await decisionSerde.registerWriter(valueSubject(topics.decisions));
  await alertSerde.registerWriter(valueSubject(topics.alerts));
  await redis.connect();
  await producer.connect();
  await consumer.connect();
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    logger.info({ memberId: event.payload.memberId }, 'joined consumer group');
  });
  await consumer.subscribe({ topic: topics.transactions, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: concurrency,
    eachMessage: async ({ message }) => {
      let tx: Transaction;
      try {
        tx = validateTransaction((await transactionSerde.decode(message.value)).value);
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        logger.warn({ offset: message.offset, reason: error.reason }, 'bad record skipped');
        return;
      }
      const matrix = await store.applyBatch([tx]);
      const score = (await model.scoreBatch(matrix))[0]!;
      const decision = decide(score, thresholds);
      const record: FraudDecision = {
        transactionId: tx.transactionId,
        originAccountId: tx.originAccountId,
        destinationAccountId: tx.destinationAccountId,
        transactionType: tx.type,
        amountMinor: tx.amountMinor,
        currency: tx.currency,
        score,
        decision,
        thresholds,
        modelVersion: version,
        reasonCodes: [],
        eventTime: tx.eventTime,
        scoredAt: Date.now(),
        challengerModelVersion: null,
        challengerScore: null,
        features: null,
      };
      await producer.send({
        topic: topics.decisions,
        messages: [{ key: tx.transactionId, value: decisionSerde.encode(record) }],
      });
      if (decision !== 'ALLOW') {
        const { challengerModelVersion: _v, challengerScore: _s, features: _f, ...alert } = record;
        await producer.send({
          topic: topics.alerts,
          messages: [{ key: tx.transactionId, value: alertSerde.encode(alert) }],
        });
      }
    },
  });
  logger.info({ instance: instanceId, concurrency, modelVersion: version }, 'baseline running');
} catch (error) {
  logger.fatal({ err: error }, 'baseline could not start');
  process.exit(1);
}
