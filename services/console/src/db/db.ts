/**
 * One small interface over the two case stores: node:sqlite (embedded, the default) and
 * PostgreSQL through `pg`. SQL is written once with `?` placeholders; the PostgreSQL side numbers
 * them. Both return BIGINT columns as numbers (epoch milliseconds and minor units fit in 2^53).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import pg from 'pg';

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface Queryable {
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface Db extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a multi-statement script (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** `?` -> `$1, $2, ...`; the SQL in this service never has a literal question mark. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  /** node:sqlite is synchronous on one connection; transactions are chained so they never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Compiled statements by SQL text: the queue's few query shapes are compiled once. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(private readonly db: DatabaseSync) {}

  private prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Promise.resolve(this.prepare(sql).all(...(params as SQLInputValue[])) as T[]);
  }

  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return Promise.resolve(this.prepare(sql).get(...(params as SQLInputValue[])) as T | undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const result = this.prepare(sql).run(...(params as SQLInputValue[]));
    return Promise.resolve({ changes: Number(result.changes) });
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  exec(script: string): Promise<void> {
    this.db.exec(script);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

class PgQueryable implements Queryable {
  constructor(protected readonly client: pg.Pool | pg.PoolClient) {}

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.client.query(numberPlaceholders(sql), params as SqlValue[]);
    return result.rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const result = await this.client.query(numberPlaceholders(sql), params as SqlValue[]);
    return { changes: result.rowCount ?? 0 };
  }
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

class PostgresDb extends PgQueryable implements Db {
  readonly dialect = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgQueryable(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export type DatabaseSettings = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export async function openDb(settings: DatabaseSettings): Promise<Db> {
  if (settings.kind === 'sqlite') {
    if (settings.file !== ':memory:') mkdirSync(path.dirname(settings.file), { recursive: true });
    const db = new DatabaseSync(settings.file);
    // WAL lets page reads proceed while the ingester writes; NORMAL sync is durable in WAL mode
    // except for the last transactions on power loss, which Kafka redelivers (offsets live here).
    db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    );
    return new SqliteDb(db);
  }
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : (pg.types.getTypeParser(oid, format as 'text') as unknown)) as typeof pg.types.getTypeParser,
    },
  });
  await pool.query('SELECT 1');
  return new PostgresDb(pool);
}
