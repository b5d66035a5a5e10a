import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractSerde, type FraudLabel } from '@fraud/contracts';
import { DLQ_HEADERS } from '@fraud/kafka';
import { uniqueName } from '@fraud/test-support';
import type { ConsoleApp } from './app.ts';
import type { ConsoleConfig } from './config.ts';
import { OUTBOX_HEADERS } from './outbox/relay.ts';
import {
  ADMIN,
  ApiSession,
  consoleTestContext,
  decisionOf,
  makeAlert,
  startConsole,
  testConfig,
  waitUntil,
  type ConsoleTestContext,
} from './testing/console-harness.ts';
import { startPostgres, type TestPostgres } from './testing/postgres.ts';

interface LabelRecord {
  label: FraudLabel;
  headers: Record<string, string>;
}

/** Every committed record of the labels topic, decoded. */
async function readLabels(ctx: ConsoleTestContext, minCount: number): Promise<LabelRecord[]> {
  const serde = new ContractSerde<FraudLabel>(ctx.registry, 'fraud-label');
  const consumer = ctx.kafka.consumer({ groupId: uniqueName('labels-reader'), readUncommitted: false });
  const out: LabelRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: ctx.topics.labels, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      out.push({ label: (await serde.decode(message.value)).value, headers });
    },
  });
  await waitUntil(() => Promise.resolve(out.length >= minCount), 30_000, `${minCount} labels`);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // and nothing more arrives
  await consumer.disconnect();
  return out;
}

async function produce(
  ctx: ConsoleTestContext,
  topic: string,
  messages: { key: string; value: Buffer }[],
): Promise<void> {
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

let postgres: TestPostgres | undefined;
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'console-int-'));
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  await rm(tmp, { recursive: true, force: true });
});

const databases: [string, () => ConsoleConfig['database']][] = [
  ['SQLite', () => ({ kind: 'sqlite', file: path.join(tmp, `${uniqueName('db')}.db`) })],
  ['PostgreSQL', () => ({ kind: 'postgres', url: postgres!.url })],
];

describe.each(databases)('console on %s', (dbName, database) => {
  it('ingests alerts exactly once, dead-letters bad records, and turns verdicts into labels through the outbox', async () => {
    const ctx = await consoleTestContext(`console-${dbName.toLowerCase()}`);
    const db = database();
    if (db.kind === 'postgres') {
      // Each describe run gets a clean database on the shared server.
      const { openDb } = await import('./db/db.ts');
      const admin = await openDb(db);
      await admin.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      await admin.close();
    }
    const config = testConfig(ctx, db);
    const alerts = Array.from({ length: 30 }, (_, i) =>
      makeAlert(`${ctx.base}-tx${i}`, { score: 0.5 + i / 100, scoredAt: Date.now() - 60_000 + i }),
    );
    await produce(ctx, ctx.topics.alerts, [
      ...alerts.slice(0, 20).map((a) => ({ key: a.transactionId, value: ctx.alertSerde.encode(a) })),
      { key: 'garbage', value: Buffer.from('not an avro record') },
    ]);
    await produce(
      ctx,
      ctx.topics.decisions,
      alerts.map((a) => ({ key: a.transactionId, value: ctx.decisionSerde.encode(decisionOf(a)) })),
    );

    let app: ConsoleApp = await startConsole(config);
    try {
      const api = new ApiSession(app.url);
      // Not signed in: 401 for the API, a redirect to /login for pages.
      expect((await api.request('/api/alerts?status=open')).status).toBe(401);
      expect((await api.request('/')).headers.get('location')).toBe('/login');
      // A wrong password: 401 and nothing that says which part was wrong.
      const wrong = await api.login(ADMIN.email, 'not-the-password');
      expect(wrong.status).toBe(401);
      const wrongBody = await wrong.text();
      const unknown = await api.login('nobody@example.com', 'not-the-password');
      expect(unknown.status).toBe(401);
      expect(await unknown.text()).toBe(wrongBody);
      expect((await api.login(ADMIN.email, ADMIN.password)).status).toBe(303);

      const open = await waitUntil(
        async () => {
          const body = (await (await api.request('/api/alerts?status=open&limit=100')).json()) as {
            alerts: { transactionId: string }[];
          };
          return body.alerts.length >= 20 ? body.alerts : undefined;
        },
        30_000,
        '20 open alerts',
      );
      expect(open.map((a) => a.transactionId).sort()).toEqual(
        alerts
          .slice(0, 20)
          .map((a) => a.transactionId)
          .sort(),
      );

      // The undecodable record is on the DLQ with its reason; ingestion went on past it.
      const dlq: Record<string, string>[] = [];
      const dlqConsumer = ctx.kafka.consumer({ groupId: uniqueName('dlq-reader') });
      await dlqConsumer.connect();
      await dlqConsumer.subscribe({ topic: ctx.topics.dlq, fromBeginning: true });
      await dlqConsumer.run({
        eachMessage: ({ message }) => {
          return Promise.resolve().then(
            () =>
              void dlq.push(
                Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
              ),
          );
        },
      });
      await waitUntil(() => Promise.resolve(dlq.length >= 1), 30_000, 'the dead letter');
      await dlqConsumer.disconnect();
      expect(dlq).toHaveLength(1);
      expect(dlq[0]![DLQ_HEADERS.reason]).toBe('decode');
      expect(dlq[0]![DLQ_HEADERS.sourceTopic]).toBe(ctx.topics.alerts);

      // Bad input on the verdict API.
      const malformed = await api.verdict(alerts[0]!.transactionId, { verdict: 'maybe' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ field: 'verdict' });
      const badNote = await api.verdict(alerts[0]!.transactionId, { verdict: 'fraud', note: 42 });
      expect(badNote.status).toBe(400);
      expect(await badNote.json()).toMatchObject({ field: 'note' });
      expect((await api.verdict('no-such-transaction', { verdict: 'fraud' })).status).toBe(404);

      // Verdicts: fraud, then a re-verdict (legit) that wins; unsure parks without a label.
      const [a0, a1, a2] = [alerts[0]!, alerts[1]!, alerts[2]!];
      expect((await api.verdict(a0.transactionId, { verdict: 'fraud', note: 'mule' })).status).toBe(200);
      expect((await api.verdict(a1.transactionId, { verdict: 'fraud' })).status).toBe(200);
      expect(
        (await api.verdict(a1.transactionId, { verdict: 'legit', note: 'customer confirmed' })).status,
      ).toBe(200);
      expect((await api.verdict(a2.transactionId, { verdict: 'unsure' })).status).toBe(200);
      const detail = (await (await api.request(`/api/alerts/${a1.transactionId}`)).json()) as {
        status: string;
        verdict: string;
        verdicts: { verdict: string; userEmail: string }[];
      };
      expect(detail).toMatchObject({ status: 'closed', verdict: 'legit' });
      expect(detail.verdicts.map((v) => v.verdict)).toEqual(['legit', 'fraud']);
      expect(detail.verdicts[0]!.userEmail).toBe(ADMIN.email);
      const stillOpen = (await (await api.request('/api/alerts?status=open&limit=100')).json()) as {
        alerts: { transactionId: string }[];
      };
      expect(stillOpen.alerts.map((a) => a.transactionId)).not.toContain(a0.transactionId);
      expect(stillOpen.alerts.map((a) => a.transactionId)).not.toContain(a2.transactionId);
      expect(stillOpen.alerts).toHaveLength(17);

      const labels = await readLabels(ctx, 3);
      expect(labels.map((l) => [l.label.transactionId, l.label.isFraud, l.label.source])).toEqual(
        expect.arrayContaining([
          [a0.transactionId, true, 'analyst'],
          [a1.transactionId, true, 'analyst'],
          [a1.transactionId, false, 'analyst'],
        ]),
      );
      expect(labels).toHaveLength(3);
      // Same key, one partition: the re-verdict comes after the first, so "latest wins" downstream.
      const a1Labels = labels
        .filter((l) => l.label.transactionId === a1.transactionId)
        .map((l) => l.label.isFraud);
      expect(a1Labels).toEqual([true, false]);
      expect(labels.every((l) => l.headers[OUTBOX_HEADERS.relay] === config.transactionalId)).toBe(true);

      // The audit log has who, what and when.
      const audit = await app.db.all<{ actor: string; action: string; target: string }>(
        "SELECT actor, action, target FROM audit_log WHERE action = 'verdict' ORDER BY id",
      );
      expect(audit.map((r) => [r.actor, r.target])).toEqual([
        [ADMIN.email, a0.transactionId],
        [ADMIN.email, a1.transactionId],
        [ADMIN.email, a1.transactionId],
        [ADMIN.email, a2.transactionId],
      ]);

      // Roles and CSRF: the admin adds an analyst through the Users form (with its CSRF token);
      // a form post without the token is refused; the analyst cannot reach admin or lead pages.
      const usersPage = await (await api.request('/admin/users')).text();
      const token = /name="csrf-token" content="([^"]+)"/.exec(usersPage)?.[1];
      expect(token).toBeDefined();
      const form = (fields: Record<string, string>) => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      const analyst = { email: `analyst-${ctx.base}@example.com`, password: 'analyst-password-1' };
      expect((await api.request('/admin/users', form({ ...analyst, role: 'analyst' }))).status).toBe(403);
      expect(
        (await api.request('/admin/users', form({ ...analyst, role: 'analyst', _csrf: token! }))).status,
      ).toBe(200);
      const analystApi = new ApiSession(app.url);
      expect((await analystApi.login(analyst.email, analyst.password)).status).toBe(303);
      expect((await analystApi.request('/admin/users')).status).toBe(403);
      expect((await analystApi.request('/audit')).status).toBe(403);
      expect(
        (await analystApi.request(`/alerts/${a0.transactionId}/reopen`, form({ _csrf: token! }))).status,
      ).toBe(403);
      expect((await analystApi.request('/api/alerts?status=closed')).status).toBe(200);

      // Crash between the Kafka commit and the "sent" mark: the restarted relay finds the record
      // on the topic and does not publish it again.
      await app.relay!.stop();
      await app.db.run('UPDATE outbox SET sent_at = NULL WHERE message_key = ?', [a0.transactionId]);
      await app.close();

      // Restart on the same database: the ingester resumes from its stored offsets.
      await produce(
        ctx,
        ctx.topics.alerts,
        alerts.slice(20).map((a) => ({ key: a.transactionId, value: ctx.alertSerde.encode(a) })),
      );
      app = await startConsole(config);
      const api2 = new ApiSession(app.url);
      await api2.login(ADMIN.email, ADMIN.password);
      await waitUntil(
        async () => {
          const row = await app.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM alerts');
          return Number(row?.n) >= 30;
        },
        30_000,
        'the 10 new alerts',
      );
      const counts = await app.db.get<{ n: number; d: number }>(
        'SELECT (SELECT COUNT(*) FROM alerts) AS n, (SELECT COUNT(*) FROM decisions) AS d',
      );
      expect(Number(counts!.n)).toBe(30);
      expect(Number(counts!.d)).toBe(30);
      const unsent = await app.db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL',
      );
      expect(Number(unsent!.n)).toBe(0);
      expect(await readLabels(ctx, 3)).toHaveLength(3);
      // A verdict made before the restart is still the alert's state.
      expect(await (await api2.request(`/api/alerts/${a0.transactionId}`)).json()).toMatchObject({
        verdict: 'fraud',
      });
    } finally {
      await app.close();
    }
  });
});

describe('consoles sharing one PostgreSQL database', () => {
  it('elect one outbox relay, and a standby takes over when the leader stops, with no label lost or doubled', async () => {
    const ctx = await consoleTestContext('console-relay-leader');
    const { openDb } = await import('./db/db.ts');
    const admin = await openDb({ kind: 'postgres', url: postgres!.url });
    await admin.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await admin.close();
    const db: ConsoleConfig['database'] = { kind: 'postgres', url: postgres!.url };
    // Same transactional id on both (as replicas of one deployment have); only A ingests.
    const configA = testConfig(ctx, db);
    const configB = testConfig(ctx, db, { CONSOLE_INGEST: 'false' });
    const alerts = [0, 1].map((i) => makeAlert(`${ctx.base}-tx${i}`));
    await produce(
      ctx,
      ctx.topics.alerts,
      alerts.map((a) => ({ key: a.transactionId, value: ctx.alertSerde.encode(a) })),
    );
    let appA: ConsoleApp | undefined = await startConsole(configA);
    const appB = await startConsole(configB);
    try {
      expect(appA.relay!.isLeader).toBe(true);
      expect(appB.relay!.isLeader).toBe(false);
      const api = new ApiSession(appB.url);
      expect((await api.login(ADMIN.email, ADMIN.password)).status).toBe(303);
      await waitUntil(
        async () => (await api.request(`/api/alerts/${alerts[1]!.transactionId}`)).status === 200,
        30_000,
        'both alerts ingested by A',
      );
      // A verdict on B is relayed by A, the leader.
      expect((await api.verdict(alerts[0]!.transactionId, { verdict: 'fraud' })).status).toBe(200);
      await waitUntil(() => Promise.resolve(appA!.relay!.published === 1), 30_000, 'A relays the label');

      await appA.close();
      appA = undefined;
      await waitUntil(() => Promise.resolve(appB.relay!.isLeader), 30_000, 'B takes the leader lock');
      expect((await api.verdict(alerts[1]!.transactionId, { verdict: 'legit' })).status).toBe(200);
      await waitUntil(() => Promise.resolve(appB.relay!.published === 1), 30_000, 'B relays the label');

      const labels = await readLabels(ctx, 2);
      expect(labels.map((l) => [l.label.transactionId, l.label.isFraud]).sort()).toEqual([
        [alerts[0]!.transactionId, true],
        [alerts[1]!.transactionId, false],
      ]);
    } finally {
      await appA?.close();
      await appB.close();
    }
  });
});

describe('sign-in', () => {
  it('answers 429 with Retry-After once an address exceeds its sign-in attempts per minute', async () => {
    const ctx = await consoleTestContext('console-sign-in-limit');
    const config = testConfig(
      ctx,
      { kind: 'sqlite', file: path.join(tmp, `${uniqueName('db')}.db`) },
      { CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: '3', CONSOLE_INGEST: 'false', CONSOLE_RELAY: 'false' },
    );
    const app = await startConsole(config);
    try {
      const api = new ApiSession(app.url);
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect((await api.login(ADMIN.email, 'not-the-password')).status).toBe(401);
      }
      // The right password does not get through either: the address is out of attempts.
      const limited = await api.login(ADMIN.email, ADMIN.password);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.text()).toContain('Too many sign-in attempts from this address');
      // Other pages are not limited.
      expect((await api.request('/healthz')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
