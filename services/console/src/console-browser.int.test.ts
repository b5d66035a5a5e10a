/**
 * The console end to end in a real headless Chromium: simulator -> scorer -> fraud_alerts ->
 * console queue -> an analyst signs in, opens an alert, reads the reasons, presses "f" ->
 * FraudLabel on fraud.labels -> the alert leaves the open queue. Screenshots of the queue,
 * the detail and the model page go to .local/artifacts/; axe-core checks each page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot } from '@fraud/config';
import { ContractSerde, type FraudLabel } from '@fraud/contracts';
import { createTopics, freePort, uniqueName } from '@fraud/test-support';
import type { ConsoleApp } from './app.ts';
import {
  ADMIN,
  consoleTestContext,
  startConsole,
  testConfig,
  waitUntil,
  type ConsoleTestContext,
} from './testing/console-harness.ts';

const CHROMIUM = '/usr/lib/chromium/chromium';
const root = findRepoRoot();
const artifacts = path.join(root, '.local', 'artifacts');

function spawnChild(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.on('exit', (code) => output.push(`\n[${name} exited ${code}]`));
  return { child, output };
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

let ctx: ConsoleTestContext;
let app: ConsoleApp | undefined;
let browser: Browser | undefined;
let scorer: { child: ChildProcess; output: string[] } | undefined;
let tmp: string;
let transactionsTopic: string;

beforeAll(async () => {
  ctx = await consoleTestContext('console-e2e');
  transactionsTopic = `${ctx.base}.transactions`;
  const scorerDlq = `${ctx.base}.scorer-dlq`;
  await createTopics(ctx.kafka, [transactionsTopic, scorerDlq], 2);
  tmp = await mkdtemp(path.join(tmpdir(), 'console-e2e-'));
  await mkdir(artifacts, { recursive: true });
  const metricsPort = await freePort();
  scorer = spawnChild('scorer', 'services/scorer/src/main.ts', [], {
    KAFKA_BROKERS: ctx.settings.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: ctx.settings.schemaRegistryUrl,
    REDIS_URL: ctx.settings.redisUrl,
    REDIS_KEY_PREFIX: ctx.base,
    TOPIC_TRANSACTIONS: transactionsTopic,
    TOPIC_DECISIONS: ctx.topics.decisions,
    TOPIC_ALERTS: ctx.topics.alerts,
    TOPIC_DLQ: scorerDlq,
    SCORER_GROUP_ID: `${ctx.base}.scorer`,
    SCORER_INSTANCE_ID: 'e2e',
    SCORER_TRANSACTIONAL_ID_PREFIX: ctx.base,
    SCORER_HTTP_PORT: String(metricsPort),
    MODEL_POLL_INTERVAL_MS: '0',
    // Registers the input subject before the simulator's first send (the start-up check needs it).
    SCORER_CREATE_TOPICS: 'true',
    LOG_LEVEL: 'info',
  });
  app = await startConsole(
    testConfig(
      ctx,
      { kind: 'sqlite', file: path.join(tmp, 'console.db') },
      {
        CONSOLE_REFRESH_MS: '1000',
        CONSOLE_SCORER_METRICS_URLS: `http://127.0.0.1:${metricsPort}/metrics`,
        MODEL_REGISTRY_DIR: path.join(root, 'models'),
      },
    ),
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (scorer && scorer.child.exitCode === null) {
    scorer.child.kill('SIGTERM');
    await new Promise((resolve) => scorer!.child.once('exit', resolve));
  }
  await rm(tmp, { recursive: true, force: true });
});

describe('analyst console in Chromium', () => {
  it('finds chromium', () => {
    expect(existsSync(CHROMIUM)).toBe(true);
  });

  it('simulator -> scorer -> queue -> sign in -> reasons -> "f" -> FraudLabel -> leaves the open queue', async () => {
    await waitUntil(
      () =>
        Promise.resolve(
          scorer!.output.join('').includes('"msg":"scorer started"') || scorer!.child.exitCode !== null,
        ),
      60_000,
      'the scorer',
    );
    expect(scorer!.child.exitCode, scorer!.output.join('').slice(-3000)).toBeNull();

    // 1. Simulated traffic through the real scorer.
    const simulator = spawnChild(
      'simulator',
      'services/simulator/src/cli.ts',
      [
        '--kafka',
        '--count',
        '3000',
        '--rate',
        '0',
        '--fraud-rate',
        '0.03',
        '--customers',
        '150',
        '--seed',
        '7',
        '--topic',
        transactionsTopic,
        '--labels-topic',
        ctx.topics.labels,
        '--labels-delay-ms',
        '0',
        '--id-prefix',
        `${ctx.base}-`,
      ],
      {
        KAFKA_BROKERS: ctx.settings.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: ctx.settings.schemaRegistryUrl,
      },
    );
    const simulatorExit = await new Promise<number | null>((resolve) =>
      simulator.child.once('exit', resolve),
    );
    expect(simulatorExit, simulator.output.join('').slice(-3000)).toBe(0);
    await waitUntil(
      async () =>
        Number(
          (await app!.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM alerts WHERE status = 'open'"))?.n,
        ) >= 5,
      90_000,
      'alerts from the scorer in the case store',
    );

    // 2. Sign in.
    const context = await browser!.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${app!.url}/`);
    expect(page.url()).toBe(`${app!.url}/login`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await Promise.all([page.waitForURL(`${app!.url}/`), page.click('button[type=submit]')]);

    // The queue: rows, highest score first.
    await page.goto(`${app!.url}/?sort=score`);
    await page.waitForSelector('#queue-rows tr[data-id]');
    expect(await page.locator('#queue-rows tr[data-id]').count()).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: path.join(artifacts, 'console-queue.png'), fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);

    // 3. Keyboard: the first row starts selected; j moves down, k back up, Enter opens.
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const transactionId = (await page.locator('#queue-rows tr.selected').getAttribute('data-id'))!;
    expect(transactionId).toBe(await page.locator('#queue-rows tr[data-id]').first().getAttribute('data-id'));
    await Promise.all([page.waitForURL(/\/alerts\//), page.keyboard.press('Enter')]);
    expect(decodeURIComponent(page.url())).toContain(transactionId);
    const reasons = page.locator('ol.reasons li .reason-text');
    expect(await reasons.count()).toBeGreaterThan(0);
    const firstReason = (await reasons.first().textContent())!;
    expect(firstReason).not.toMatch(/^[a-z0-9_]+=/); // words, not `feature=value`
    expect(firstReason.length).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(artifacts, 'console-detail.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // 4. One keystroke: fraud.
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('f')]);
    await page.waitForSelector('text=verdict fraud');

    // 5. The FraudLabel is on fraud.labels.
    const serde = new ContractSerde<FraudLabel>(ctx.registry, 'fraud-label');
    const labels: FraudLabel[] = [];
    const consumer = ctx.kafka.consumer({ groupId: uniqueName('e2e-labels'), readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: ctx.topics.labels, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void labels.push((await serde.decode(message.value)).value),
    });
    const label = await waitUntil(
      () => Promise.resolve(labels.find((l) => l.transactionId === transactionId && l.source === 'analyst')),
      30_000,
      'the analyst label',
    );
    await consumer.disconnect();
    expect(label).toMatchObject({ transactionId, isFraud: true, source: 'analyst' });

    // 6. Gone from the open queue.
    await page.goto(`${app!.url}/?sort=score&limit=500`);
    await page.waitForSelector('#queue-rows tr');
    expect(await page.locator(`#queue-rows tr[data-id="${transactionId}"]`).count()).toBe(0);

    // The model page (thresholds, live precision/recall, drift chart) is accessible too.
    await page.goto(`${app!.url}/model`);
    await page.waitForSelector('h1');
    expect(await page.locator('table').first().textContent()).toContain('champion');
    await page.screenshot({ path: path.join(artifacts, 'console-model.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
