import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FraudAlert } from '@fraud/contracts';
import { openDb, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { decodeCursor, CursorError, insertAlerts, listAlerts, type QueueSort } from './alerts.ts';
import { recordVerdict, NotFoundError } from './cases.ts';

function alert(i: number, overrides: Partial<FraudAlert> = {}): FraudAlert {
  return {
    transactionId: `tx-${String(i).padStart(4, '0')}`,
    originAccountId: `C${i % 7}`,
    destinationAccountId: `C${(i + 1) % 7}`,
    transactionType: i % 2 === 0 ? 'TRANSFER' : 'CASH_OUT',
    amountMinor: 1_000 * i,
    currency: 'USD',
    score: (i % 10) / 10,
    decision: i % 10 >= 8 ? 'BLOCK' : 'REVIEW',
    thresholds: { review: 0.02, block: 0.8 },
    modelVersion: i % 3 === 0 ? 'm2' : 'm1',
    reasonCodes: [],
    eventTime: 1_000_000 + i,
    // Ties on purpose: paging must break them by transaction id.
    scoredAt: 2_000_000 + Math.floor(i / 3),
    ...overrides,
  };
}

let db: Db;
beforeEach(async () => {
  db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await migrate(db);
  await db.transaction((tx) =>
    insertAlerts(
      tx,
      Array.from({ length: 100 }, (_, i) => alert(i)),
      0,
    ),
  );
});
afterEach(() => db.close());

async function allPages(sort: QueueSort, filter = {}, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlerts(db, filter, sort, limit, cursor);
    ids.push(...page.alerts.map((a) => a.transactionId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

describe('alert queue paging', () => {
  it('walks every alert once, newest first, across ties', async () => {
    const ids = await allPages('newest');
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    const expected = Array.from({ length: 100 }, (_, i) => alert(i))
      .sort((a, b) => b.scoredAt - a.scoredAt || b.transactionId.localeCompare(a.transactionId))
      .map((a) => a.transactionId);
    expect(ids).toEqual(expected);
  });

  it('walks by score with filters applied on every page', async () => {
    const ids = await allPages('score', { type: 'TRANSFER', minScore: 0.3, modelVersion: 'm1' }, 4);
    const expected = Array.from({ length: 100 }, (_, i) => alert(i))
      .filter((a) => a.transactionType === 'TRANSFER' && a.score >= 0.3 && a.modelVersion === 'm1')
      .sort((a, b) => b.score - a.score || b.transactionId.localeCompare(a.transactionId))
      .map((a) => a.transactionId);
    expect(ids).toEqual(expected);
    expect(ids.length).toBeGreaterThan(4);
  });

  it('filters by amount, decision and time', async () => {
    const page = await listAlerts(
      db,
      { decision: 'BLOCK', minAmountMinor: 50_000, maxAmountMinor: 80_000, from: 2_000_020 },
      'newest',
      100,
    );
    expect(page.alerts.map((a) => a.transactionId)).toEqual(['tx-0079', 'tx-0078', 'tx-0069', 'tx-0068']);
  });

  it('rejects a cursor it did not issue, naming the field', () => {
    expect(() => decodeCursor('garbage')).toThrow(CursorError);
    expect(new CursorError('x').field).toBe('cursor');
  });

  it('a verdict closes the alert and queues its label; unsure queues none', async () => {
    await recordVerdict(db, 'labels', 'tx-0001', 'fraud', 'n', { email: 'a@example.com' }, 5);
    await recordVerdict(db, 'labels', 'tx-0002', 'unsure', '', { email: 'a@example.com' }, 6);
    const outbox = await db.all<{ message_key: string; payload: string }>(
      'SELECT message_key, payload FROM outbox',
    );
    expect(outbox).toEqual([
      {
        message_key: 'tx-0001',
        payload: JSON.stringify({ transactionId: 'tx-0001', isFraud: true, source: 'analyst', labeledAt: 5 }),
      },
    ]);
    const open = await allPages('newest', { status: 'open' }, 50);
    expect(open).not.toContain('tx-0001');
    expect(open).not.toContain('tx-0002');
    expect(await allPages('newest', { status: 'unsure' })).toEqual(['tx-0002']);
    await expect(
      recordVerdict(db, 'labels', 'nope', 'fraud', '', { email: 'a@example.com' }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe('context retention', () => {
  it('prunes old decisions and labels, never alerts', async () => {
    const { insertDecisions } = await import('./alerts.ts');
    const { pruneContext } = await import('./retention.ts');
    const old = alert(1, { transactionId: 'old', scoredAt: 1_000 });
    const recent = alert(2, { transactionId: 'recent', scoredAt: 9_000 });
    await db.transaction((tx) =>
      insertDecisions(
        tx,
        [old, recent].map((a) => ({
          ...a,
          challengerModelVersion: null,
          challengerScore: null,
          features: null,
        })),
      ),
    );
    await db.run(
      "INSERT INTO labels (transaction_id, is_fraud, source, labeled_at) VALUES ('old', 1, 's', 1000), ('recent', 0, 's', 9000)",
    );
    expect(await pruneContext(db, 5_000)).toEqual({ decisions: 1, labels: 1 });
    expect(await db.all('SELECT transaction_id FROM decisions')).toEqual([{ transaction_id: 'recent' }]);
    expect(await db.all('SELECT transaction_id FROM labels')).toEqual([{ transaction_id: 'recent' }]);
    expect(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM alerts'))!.n)).toBe(100);
  });
});
