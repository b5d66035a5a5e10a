import { describe, expect, it } from 'vitest';
import { ConfigError, loadConsoleConfig } from './config.ts';
import { numberPlaceholders } from './db/db.ts';
import { splitStatements } from './db/migrate.ts';
import { parsePsiMetrics } from './model-info.ts';
import { html, raw } from './web/html.ts';
import { parseOrThrow, queueQuerySchema, verdictBodySchema, BadRequestError } from './web/requests.ts';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };

describe('console configuration', () => {
  it('has defaults for everything but the stack', () => {
    const config = loadConsoleConfig(base);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: false });
    expect(config.database).toEqual({ kind: 'sqlite', file: '.local/console/console.db' });
    expect(config.topics).toEqual({
      decisions: 'fraud.decisions',
      alerts: 'fraud_alerts',
      labels: 'fraud.labels',
      dlq: 'fraud.console.dlq',
    });
  });

  it('names the bad variable', () => {
    const error = (env: Record<string, string>) => {
      try {
        loadConsoleConfig({ ...base, ...env });
      } catch (e) {
        return e instanceof ConfigError ? e.variable : String(e);
      }
      return 'no error';
    };
    expect(error({ CONSOLE_PORT: 'eighty' })).toBe('CONSOLE_PORT');
    expect(error({ DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL');
    expect(error({ CONSOLE_ADMIN_EMAIL: 'a@example.com' })).toBe('CONSOLE_ADMIN_PASSWORD');
    expect(error({ CONSOLE_ADMIN_EMAIL: 'a@example.com', CONSOLE_ADMIN_PASSWORD: 'short' })).toBe(
      'CONSOLE_ADMIN_PASSWORD',
    );
    expect(error({ KAFKA_BROKERS: '' })).toBe('KAFKA_BROKERS');
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(
      loadConsoleConfig({ ...base, DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/cases' }).database,
    ).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@127.0.0.1:5432/cases',
    });
  });
});

describe('SQL helpers', () => {
  it('numbers placeholders for PostgreSQL', () => {
    expect(numberPlaceholders('SELECT * FROM t WHERE a = ? AND (b, c) < (?, ?)')).toBe(
      'SELECT * FROM t WHERE a = $1 AND (b, c) < ($2, $3)',
    );
  });

  it('splits a migration into statements without comments', () => {
    expect(splitStatements('-- note\nCREATE TABLE a (x INT);\n\nCREATE INDEX i ON a (x);\n')).toEqual([
      'CREATE TABLE a (x INT)',
      'CREATE INDEX i ON a (x)',
    ]);
  });
});

describe('request validation', () => {
  it('names the field of a bad query or body', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof BadRequestError ? e.field : String(e);
      }
      return 'no error';
    };
    expect(field(() => parseOrThrow(queueQuerySchema, { minScore: '2' }))).toBe('minScore');
    expect(field(() => parseOrThrow(queueQuerySchema, { from: 'yesterday' }))).toBe('from');
    expect(field(() => parseOrThrow(verdictBodySchema, { verdict: 'maybe' }))).toBe('verdict');
    expect(field(() => parseOrThrow(verdictBodySchema, {}))).toBe('verdict');
  });

  it('reads form values: empty means unset, times are UTC, amounts in major units', () => {
    const q = parseOrThrow(queueQuerySchema, {
      status: '',
      minAmount: '12.5',
      from: '2026-11-29T18:00',
      sort: 'score',
    });
    expect(q).toMatchObject({
      status: 'open',
      minAmount: 12.5,
      from: Date.UTC(2026, 10, 29, 18),
      sort: 'score',
    });
  });
});

describe('html', () => {
  it('escapes every value but trusted markup', () => {
    expect(html`<p title="${'"x"'}">${'<b>'}${raw('<i>ok</i>')}</p>`.value).toBe(
      '<p title="&quot;x&quot;">&lt;b&gt;<i>ok</i></p>',
    );
  });
});

describe('drift from scorer metrics', () => {
  it('reads fraud_feature_psi and fraud_score_psi samples', () => {
    const text = [
      '# HELP fraud_feature_psi PSI',
      '# TYPE fraud_feature_psi gauge',
      'fraud_feature_psi{feature="amount_log",model_version="v1"} 0.12',
      'fraud_feature_psi{feature="dest_unseen",model_version="v1"} 0.01',
      'fraud_score_psi{model_version="v1"} 0.3',
      'fraud_feature_missing_ratio{feature="amount_log",model_version="v1"} 0',
    ].join('\n');
    expect(parsePsiMetrics(text)).toEqual({
      features: [
        { feature: 'amount_log', modelVersion: 'v1', psi: 0.12 },
        { feature: 'dest_unseen', modelVersion: 'v1', psi: 0.01 },
      ],
      scorePsi: [{ modelVersion: 'v1', psi: 0.3 }],
    });
  });
});
