/**
 * `npm run live-quality`: per-model precision/recall on labelled live traffic as Prometheus
 * gauges (fraud_live_precision, fraud_live_recall, ... on QUALITY_HTTP_PORT, default 9465).
 * Follows fraud.decisions and fraud.labels from the beginning (read_committed, no commits: the
 * join is rebuilt at start, bounded by QUALITY_MAX_TRANSACTIONS); SIGTERM stops it. Exit codes
 * are @fraud/runtime's runMain ones (0 clean stop, 1 failure, 143 / 130 on a signal during start-up).
 */
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ContractSerde, type FraudDecision, type FraudLabel, type Thresholds } from '@fraud/contracts';
import { createKafka, silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { readManifest, readModelRegistry } from '@fraud/model';
import { createLogger, startOpsServer, type OpsServer } from '@fraud/observability';
import { ServiceLifecycle, loadConfigOrExit, runMain } from '@fraud/runtime';
import { loadQualityConfig } from './config.ts';
import { LiveQuality } from './live-quality.ts';
import { liveQualityRegistry } from './quality-metrics.ts';

silenceKafkajsTimeoutWarnings();

const config = loadConfigOrExit('live-quality', () => loadQualityConfig());
const logger = createLogger({ name: 'fraud-live-quality', level: config.logLevel });

/** Challenger thresholds from their manifests (the decision record carries only the champion's). */
const thresholdCache = new Map<string, Thresholds | undefined>();
async function refreshThresholds(): Promise<void> {
  try {
    const registry = await readModelRegistry(config.modelRegistryDir);
    for (const v of registry.versions) {
      if (thresholdCache.get(v.version)) continue;
      try {
        thresholdCache.set(
          v.version,
          (await readManifest(path.join(config.modelRegistryDir, v.path))).thresholds,
        );
      } catch (error) {
        logger.warn({ err: error, version: v.version }, 'model manifest unreadable');
      }
    }
  } catch (error) {
    logger.warn({ err: error }, 'model registry unreadable: challenger quality unknown');
  }
}
const quality = new LiveQuality(config.maxTransactions, (v) => thresholdCache.get(v));
const kafka = createKafka({ ...config.kafka, brokers: config.kafkaBrokers, clientId: 'fraud-live-quality' });
const registry = new SchemaRegistry({ host: config.schemaRegistryUrl });
const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
const labelSerde = new ContractSerde<FraudLabel>(registry, 'fraud-label');
const consumer = kafka.consumer({
  groupId: `fraud-live-quality-${process.pid}-${Date.now()}`,
  readUncommitted: false,
});
const lifecycle = new ServiceLifecycle({ name: 'live-quality', shutdownDeadlineMs: config.shutdownGraceMs });
let joined = false;
consumer.on(consumer.events.GROUP_JOIN, () => {
  joined = true;
});
consumer.on(consumer.events.CRASH, (event) => {
  joined = false;
  logger.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
  if (!event.payload.restart) lifecycle.fail(event.payload.error);
});

let refresher: NodeJS.Timeout | undefined;
let ops: OpsServer | undefined;
await runMain(
  lifecycle,
  {
    start: async () => {
      await refreshThresholds();
      refresher = setInterval(() => void refreshThresholds(), 30_000);
      ops = await startOpsServer({
        ...config.http,
        registry: liveQualityRegistry(quality),
        health: {
          live: () => lifecycle.state !== 'FAILED',
          ready: () => lifecycle.state === 'RUNNING' && joined,
        },
      });
      await consumer.connect();
      await consumer.subscribe({
        topics: [config.topics.decisions, config.topics.labels],
        fromBeginning: true,
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            try {
              if (batch.topic === config.topics.decisions)
                quality.addDecision((await decisionSerde.decode(message.value)).value);
              else quality.addLabel((await labelSerde.decode(message.value)).value);
            } catch (error) {
              // One unreadable record costs only itself; the join goes on.
              logger.warn({ err: error, topic: batch.topic, offset: message.offset }, 'record skipped');
            }
          }
        },
      });
      logger.info(
        { http: `${config.http.host}:${ops.port}`, topics: config.topics },
        'live quality exporter running',
      );
    },
    close: async () => {
      clearInterval(refresher);
      await consumer
        .disconnect()
        .catch((error: unknown) => logger.warn({ err: error }, 'consumer disconnect failed'));
      await ops?.close();
    },
  },
  { logger },
);
