/** Wires the console: case store, migrations, bootstrap admin, ingester, outbox relay, web server. */
import { randomBytes } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createKafka, ensureTopics } from '@fraud/kafka';
import type { ConsoleConfig } from './config.ts';
import { openDb, type Db } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { Ingester } from './ingest/ingester.ts';
import { leaderLock } from './db/leader-lock.ts';
import { OutboxRelay } from './outbox/relay.ts';
import { pruneContext } from './store/retention.ts';
import { bootstrapAdmin } from './store/users.ts';
import { buildWebServer } from './web/server.ts';

const PRUNE_INTERVAL_MS = 10 * 60_000;

export interface ConsoleApp {
  db: Db;
  web: FastifyInstance;
  ingester: Ingester | undefined;
  relay: OutboxRelay | undefined;
  /** http://host:port the server listens on. */
  url: string;
  close(): Promise<void>;
}

/** CONSOLE_SESSION_SECRET, or one generated at first start and kept in the database (replicas share it). */
async function sessionSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
    'session_secret',
    randomBytes(32).toString('base64url'),
  ]);
  const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [
    'session_secret',
  ]);
  return row!.value;
}

export async function createConsoleApp(config: Readonly<ConsoleConfig>, logger: Logger): Promise<ConsoleApp> {
  const db = await openDb(config.database);
  const stops: (() => Promise<void>)[] = [() => db.close()];
  const closeAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => logger.error({ err: error }, 'close failed'));
  };
  try {
    const applied = await migrate(db);
    logger.info({ dialect: db.dialect, applied }, 'case store ready');
    if (await bootstrapAdmin(db, config.admin))
      logger.info({ email: config.admin!.email }, 'bootstrap admin created');

    const kafka = createKafka(config.kafka, logger.child({ component: 'kafka' }));
    const registry = new SchemaRegistry({ host: config.schemaRegistryUrl });
    if (config.createTopics) {
      const created = await ensureTopics(
        kafka,
        Object.values(config.topics).map((topic) => ({ topic, numPartitions: config.topicPartitions })),
      );
      if (created.length > 0) logger.info({ topics: created }, 'topics created');
    }
    let relay: OutboxRelay | undefined;
    if (config.relay) {
      relay = new OutboxRelay({
        kafka,
        registry,
        db,
        transactionalId: config.transactionalId,
        // The lock is scoped by transactional id: relays that fence each other also elect one leader.
        leaderLock: leaderLock(config.database, config.transactionalId, (error) =>
          relay?.leadershipLost(error),
        ),
        logger: logger.child({ component: 'outbox' }),
      });
      await relay.start();
      stops.push(() => relay!.stop());
    }
    let ingester: Ingester | undefined;
    if (config.ingest) {
      ingester = new Ingester({
        kafka,
        registry,
        db,
        topics: config.topics,
        groupId: config.groupId,
        logger: logger.child({ component: 'ingester' }),
      });
      await ingester.start();
      stops.push(() => ingester!.stop());
    }
    const prune = async () => {
      const pruned = await pruneContext(db, Date.now() - config.contextRetentionMs);
      if (pruned.decisions + pruned.labels > 0) logger.info(pruned, 'context pruned');
    };
    const pruneTimer = setInterval(
      () => void prune().catch((error: unknown) => logger.error({ err: error }, 'prune failed')),
      PRUNE_INTERVAL_MS,
    );
    pruneTimer.unref();
    stops.push(() => Promise.resolve(clearInterval(pruneTimer)));

    const web = await buildWebServer({
      db,
      logger,
      sessionSecret: await sessionSecret(db, config.sessionSecret),
      sessionTtlMs: config.sessionTtlMs,
      loginAttemptsPerMinute: config.loginAttemptsPerMinute,
      cookieSecure: config.cookieSecure,
      trustProxy: config.http.trustProxy,
      labelsTopic: config.topics.labels,
      pageSize: config.pageSize,
      refreshMs: config.refreshMs,
      modelRegistryDir: config.modelRegistryDir,
      scorerMetricsUrls: config.scorerMetricsUrls,
      prometheusUrl: config.prometheusUrl,
      onVerdict: () => relay?.poke(),
    });
    await web.listen({ host: config.http.host, port: config.http.port });
    stops.push(() => web.close());
    const address = web.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `http://${config.http.host}:${port}`;
    logger.info({ url }, 'console listening');
    return { db, web, ingester, relay, url, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
