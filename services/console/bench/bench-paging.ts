/**
 * Paging benchmark: server time per queue page at 100K alerts, on SQLite and on PostgreSQL.
 *
 *   npx tsx services/console/bench/bench-paging.ts [--alerts 100000] [--pages 40] [--json services/console/bench/results.json]
 *
 * Seeds the alerts straight into a fresh database (SQLite file in a temp dir; PostgreSQL from
 * DATABASE_URL or a throwaway server started here), builds the real web server (no Kafka) and
 * times requests through Fastify's inject: routing, session lookup, validation, the keyset query
 * and JSON/HTML rendering, without the network. Each scenario walks `pages` pages by cursor.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { FraudAlert, TransactionType } from '@fraud/contracts';
import { openDb, type DatabaseSettings, type Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { insertAlerts } from '../src/store/alerts.ts';
import { createUser } from '../src/store/users.ts';
import { startPostgres, type TestPostgres } from '../src/testing/postgres.ts';
import { buildWebServer } from '../src/web/server.ts';

const { values } = parseArgs({
  options: {
    alerts: { type: 'string', default: '100000' },
    pages: { type: 'string', default: '40' },
    json: { type: 'string', default: 'services/console/bench/results.json' },
  },
});
const alertCount = Number(values.alerts);
const pagesPerScenario = Number(values.pages);
if (!(alertCount >= 1_000 && alertCount <= 2_000_000)) throw new Error('--alerts must be in [1000, 2000000]');
if (!(pagesPerScenario >= 1 && pagesPerScenario <= 1_000)) throw new Error('--pages must be in [1, 1000]');

const TYPES: TransactionType[] = ['TRANSFER', 'CASH_OUT', 'PAYMENT', 'CASH_IN', 'DEBIT'];
const PAGE_SIZE = 50;

/** Deterministic alerts: 80% open, two model versions (one rare), scores and amounts spread out. */
function seedAlert(i: number, now: number): FraudAlert {
  // An integer hash per (alert, field): independent-looking fields, same data every run.
  const r = (n: number) => {
    let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
  };
  const score = 0.02 + 0.98 * r(1);
  return {
    transactionId: `bench-${i.toString().padStart(7, '0')}`,
    originAccountId: `C${Math.floor(r(2) * 20_000)}`,
    destinationAccountId: `C${Math.floor(r(3) * 20_000)}`,
    transactionType: TYPES[Math.floor(r(4) * TYPES.length)]!,
    amountMinor: Math.round(Math.exp(r(5) * 14) * 100),
    currency: 'USD',
    score,
    decision: score >= 0.84 ? 'BLOCK' : 'REVIEW',
    thresholds: { review: 0.023, block: 0.837 },
    modelVersion: r(6) < 0.02 ? 'challenger-rare' : 'champion-v1',
    reasonCodes: [
      { feature: 'cashout_secs_since_in_transfer', value: 600, contribution: 2.0 },
      { feature: 'orig_drain_ratio', value: 1, contribution: 1.1 },
      { feature: 'dest_unseen', value: 1, contribution: 0.4 },
    ],
    eventTime: now - (alertCount - i) * 1_000 - 500,
    scoredAt: now - (alertCount - i) * 1_000,
  };
}

async function seed(db: Db): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  const chunk = 2_000;
  for (let i = 0; i < alertCount; i += chunk) {
    const batch = Array.from({ length: Math.min(chunk, alertCount - i) }, (_, k) => seedAlert(i + k, now));
    await db.transaction(async (tx) => {
      await insertAlerts(tx, batch, now);
      // 20% already reviewed.
      await tx.run(
        `UPDATE alerts SET status = 'closed', verdict = 'legit' WHERE transaction_id >= ? AND transaction_id <= ? AND score < 0.2`,
        [batch[0]!.transactionId, batch[batch.length - 1]!.transactionId],
      );
    });
  }
  await db.exec('ANALYZE');
  return performance.now() - started;
}

const SCENARIOS: { name: string; path: string }[] = [
  { name: 'api: open, newest first', path: '/api/alerts?status=open' },
  { name: 'api: open, highest score first', path: '/api/alerts?status=open&sort=score' },
  {
    name: 'api: open, TRANSFER, score 0.5-0.9, amount >= 1000',
    path: '/api/alerts?status=open&type=TRANSFER&minScore=0.5&maxScore=0.9&minAmount=1000',
  },
  {
    name: 'api: rare model version (2%), BLOCK',
    path: '/api/alerts?status=all&model=challenger-rare&decision=BLOCK',
  },
  {
    name: 'api: last 6 hours of alerts',
    path: `/api/alerts?status=all&from=${new Date(Date.now() - 6 * 3_600_000).toISOString()}`,
  },
  { name: 'html: queue page, newest first', path: '/?status=open' },
];

function stats(ms: number[]): { p50: number; p95: number; max: number; mean: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(ms.reduce((a, b) => a + b, 0) / ms.length),
  };
}

async function run(label: string, settings: DatabaseSettings) {
  const db = await openDb(settings);
  await migrate(db);
  const seedMs = await seed(db);
  await createUser(db, 'bench@example.com', 'bench-password-123', 'analyst', 'bench');
  const app = await buildWebServer({
    db,
    logger: pino({ level: 'silent' }),
    sessionSecret: 'x'.repeat(32),
    sessionTtlMs: 3_600_000,
    loginAttemptsPerMinute: 10,
    cookieSecure: false,
    trustProxy: false,
    labelsTopic: 'fraud.labels',
    pageSize: PAGE_SIZE,
    refreshMs: 0,
    modelRegistryDir: 'models',
    scorerMetricsUrls: [],
    prometheusUrl: undefined,
  });
  const login = await app.inject({
    method: 'POST',
    url: '/login',
    payload: 'email=bench%40example.com&password=bench-password-123',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const results = [];
  for (const scenario of SCENARIOS) {
    // Warm-up: one walk not measured (prepared statements, caches).
    const timings: number[] = [];
    let rows = 0;
    for (let pass = 0; pass < 2; pass++) {
      let url = scenario.path;
      for (let page = 0; page < pagesPerScenario; page++) {
        const started = performance.now();
        const response = await app.inject({
          method: 'GET',
          url,
          headers: { cookie, accept: scenario.path.startsWith('/api') ? 'application/json' : 'text/html' },
        });
        const elapsed = performance.now() - started;
        if (response.statusCode !== 200)
          throw new Error(`${url}: HTTP ${response.statusCode} ${response.body.slice(0, 200)}`);
        if (pass === 1) timings.push(elapsed);
        if (!scenario.path.startsWith('/api')) break; // the HTML page is timed on its first page
        const body = response.json<{ alerts: unknown[]; nextCursor: string | null }>();
        if (pass === 1) rows += body.alerts.length;
        if (!body.nextCursor) break;
        url = `${scenario.path}&cursor=${encodeURIComponent(body.nextCursor)}`;
      }
    }
    if (!scenario.path.startsWith('/api')) {
      for (let i = 0; i < pagesPerScenario - 1; i++) {
        const started = performance.now();
        await app.inject({ method: 'GET', url: scenario.path, headers: { cookie } });
        timings.push(performance.now() - started);
      }
    }
    results.push({ scenario: scenario.name, pages: timings.length, rows, ms: stats(timings) });
    console.log(
      `${label.padEnd(10)} ${scenario.name.padEnd(52)} p50 ${stats(timings).p50.toFixed(2)} ms  p95 ${stats(timings).p95.toFixed(2)} ms  max ${stats(timings).max.toFixed(2)} ms  (${timings.length} pages)`,
    );
  }
  await app.close();
  await db.close();
  return {
    database: label,
    alerts: alertCount,
    seedSeconds: Math.round(seedMs / 100) / 10,
    pageSize: PAGE_SIZE,
    scenarios: results,
  };
}

const tmp = await mkdtemp(path.join(tmpdir(), 'console-bench-'));
let postgres: TestPostgres | undefined;
try {
  const sqlite = await run('SQLite', { kind: 'sqlite', file: path.join(tmp, 'bench.db') });
  let pgUrl = process.env.DATABASE_URL;
  if (!pgUrl) {
    postgres = await startPostgres();
    pgUrl = postgres.url;
  }
  const pg = await run('PostgreSQL', { kind: 'postgres', url: pgUrl });
  const report = {
    benchmark: 'console queue paging: server time per page (Fastify inject, no network)',
    command: `npx tsx services/console/bench/bench-paging.ts --alerts ${alertCount} --pages ${pagesPerScenario}`,
    measuredAt: new Date().toISOString(),
    node: process.version,
    note: 'shared 2-core machine; compare SQLite and PostgreSQL within one run',
    results: [sqlite, pg],
  };
  await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${values.json}`);
} finally {
  await postgres?.stop();
  await rm(tmp, { recursive: true, force: true });
}
