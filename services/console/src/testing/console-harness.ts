/** Test harness: a console on its own topics, consumer group, database and free port. */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { ContractSerde, valueSubject, type FraudAlert, type FraudDecision } from '@fraud/contracts';
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { createTopics, stackSettings, testKafka, uniqueName, type StackSettings } from '@fraud/test-support';
import { createConsoleApp, type ConsoleApp } from '../app.ts';
import { loadConsoleConfig, type ConsoleConfig } from '../config.ts';

silenceKafkajsTimeoutWarnings();

export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-staple' };

export interface ConsoleTestContext {
  settings: StackSettings;
  kafka: Kafka;
  registry: SchemaRegistry;
  topics: ConsoleConfig['topics'];
  base: string;
  alertSerde: ContractSerde<FraudAlert>;
  decisionSerde: ContractSerde<FraudDecision>;
}

export async function consoleTestContext(
  name: string,
  topics?: Partial<ConsoleConfig['topics']>,
): Promise<ConsoleTestContext> {
  const settings = stackSettings();
  const kafka = testKafka(settings, name);
  const base = uniqueName(name);
  const all = {
    alerts: `${base}.alerts`,
    decisions: `${base}.decisions`,
    labels: `${base}.labels`,
    dlq: `${base}.console-dlq`,
    ...topics,
  };
  const mine = Object.entries(all)
    .filter(([key]) => !topics || !(key in topics))
    .map(([, topic]) => topic);
  if (mine.length > 0) await createTopics(kafka, mine, 2);
  const registry = new SchemaRegistry({ host: settings.schemaRegistryUrl });
  const alertSerde = new ContractSerde<FraudAlert>(registry, 'fraud-alert');
  await alertSerde.registerWriter(valueSubject(all.alerts));
  const decisionSerde = new ContractSerde<FraudDecision>(registry, 'fraud-decision');
  await decisionSerde.registerWriter(valueSubject(all.decisions));
  return { settings, kafka, registry, topics: all, base, alertSerde, decisionSerde };
}

export function testConfig(
  ctx: ConsoleTestContext,
  database: ConsoleConfig['database'],
  env: Record<string, string> = {},
): Readonly<ConsoleConfig> {
  const config = loadConsoleConfig({
    KAFKA_BROKERS: ctx.settings.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: ctx.settings.schemaRegistryUrl,
    CONSOLE_PORT: '0',
    CONSOLE_ADMIN_EMAIL: ADMIN.email,
    CONSOLE_ADMIN_PASSWORD: ADMIN.password,
    CONSOLE_GROUP_ID: `${ctx.base}.group`,
    CONSOLE_TRANSACTIONAL_ID: `${ctx.base}.outbox`,
    CONSOLE_SCORER_METRICS_URLS: '',
    TOPIC_ALERTS: ctx.topics.alerts,
    TOPIC_DECISIONS: ctx.topics.decisions,
    TOPIC_LABELS: ctx.topics.labels,
    TOPIC_CONSOLE_DLQ: ctx.topics.dlq,
    ...env,
  });
  return { ...config, database };
}

export function startConsole(config: Readonly<ConsoleConfig>): Promise<ConsoleApp> {
  return createConsoleApp(config, pino({ level: process.env.CONSOLE_TEST_LOG ?? 'silent' }));
}

/** A FraudAlert as the scorer writes it. */
export function makeAlert(id: string, overrides: Partial<FraudAlert> = {}): FraudAlert {
  const now = Date.now();
  return {
    transactionId: id,
    originAccountId: `${id}-from`,
    destinationAccountId: `${id}-to`,
    transactionType: 'CASH_OUT',
    amountMinor: 1_250_000,
    currency: 'USD',
    score: 0.91,
    decision: 'BLOCK',
    thresholds: { review: 0.02, block: 0.83 },
    modelVersion: 'test-model',
    reasonCodes: [
      { feature: 'cashout_secs_since_in_transfer', value: 1200, contribution: 2.1 },
      { feature: 'cashout_amount_gap', value: 0, contribution: 1.4 },
      { feature: 'orig_secs_since_prev', value: null, contribution: -0.2 },
    ],
    eventTime: now - 5_000,
    scoredAt: now,
    ...overrides,
  };
}

export function decisionOf(alert: FraudAlert): FraudDecision {
  return {
    transactionId: alert.transactionId,
    originAccountId: alert.originAccountId,
    destinationAccountId: alert.destinationAccountId,
    transactionType: alert.transactionType,
    amountMinor: alert.amountMinor,
    currency: alert.currency,
    score: alert.score,
    decision: alert.decision,
    thresholds: alert.thresholds,
    modelVersion: alert.modelVersion,
    reasonCodes: alert.reasonCodes,
    eventTime: alert.eventTime,
    scoredAt: alert.scoredAt,
    challengerModelVersion: null,
    challengerScore: null,
    features: null,
  };
}

/** A logged-in HTTP session against a running console (cookie jar of one cookie). */
export class ApiSession {
  private cookie = '';
  constructor(readonly baseUrl: string) {}

  async login(email: string, password: string): Promise<Response> {
    const response = await fetch(`${this.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
      redirect: 'manual',
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    return response;
  }

  request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
    });
  }

  verdict(transactionId: string, body: unknown): Promise<Response> {
    return this.request(`/api/alerts/${encodeURIComponent(transactionId)}/verdict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
