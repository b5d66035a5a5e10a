import { Redis } from 'ioredis';
import { silenceTimeoutNegativeWarnings } from '@fraud/runtime';
import { stackSettings, testKafka } from './stack.ts';

const READY_TIMEOUT_MS = 60_000;

async function retryUntil<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`${what} not reachable after ${READY_TIMEOUT_MS} ms: ${String(lastError)}`, {
    cause: lastError,
  });
}

/**
 * Runs once before the integration tests: finds the stack (variables or `.local/stack.env`) and
 * proves each server answers, so a missing stack fails once with a clear cause instead of as a
 * time-out in every test.
 */
export default async function setup(): Promise<void> {
  // The admin client below is kafkajs: without this, Node 24 prints a TimeoutNegativeWarning.
  silenceTimeoutNegativeWarnings();
  const settings = stackSettings();
  process.env.KAFKA_BROKERS = settings.kafkaBrokers.join(',');
  process.env.SCHEMA_REGISTRY_URL = settings.schemaRegistryUrl;
  process.env.REDIS_URL = settings.redisUrl;

  const admin = testKafka(settings, 'global-setup').admin();
  await retryUntil(`Kafka at ${settings.kafkaBrokers.join(',')}`, async () => {
    await admin.connect();
    await admin.listTopics();
  });
  await admin.disconnect();

  await retryUntil(`schema registry at ${settings.schemaRegistryUrl}`, async () => {
    const response = await fetch(`${settings.schemaRegistryUrl}/subjects`);
    if (!response.ok) throw new Error(`GET /subjects -> HTTP ${response.status}`);
  });

  const redis = new Redis(settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await retryUntil(`Redis at ${settings.redisUrl}`, async () => {
    if (redis.status !== 'ready') await redis.connect();
    await redis.ping();
  });
  redis.disconnect();
}
