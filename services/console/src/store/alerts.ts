/** The alert queue and case queries: keyset paging, the detail view, the account's history. */
import type { FraudAlert, FraudDecision } from '@fraud/contracts';
import type { Db, Queryable, SqlValue } from '../db/db.ts';

export type AlertStatus = 'open' | 'closed' | 'unsure';
export type Verdict = 'fraud' | 'legit' | 'unsure';
export type QueueSort = 'newest' | 'score';

export interface ReasonCode {
  feature: string;
  value: number | null;
  contribution: number;
}

export interface AlertRow {
  transactionId: string;
  originAccountId: string;
  destinationAccountId: string;
  transactionType: string;
  amountMinor: number;
  currency: string;
  score: number;
  decision: string;
  thresholds: { review: number; block: number };
  modelVersion: string;
  reasonCodes: ReasonCode[];
  eventTime: number;
  scoredAt: number;
  ingestedAt: number;
  status: AlertStatus;
  verdict: Verdict | null;
  verdictNote: string | null;
  verdictBy: string | null;
  verdictAt: number | null;
  assignedTo: string | null;
}

export interface QueueFilter {
  status?: AlertStatus | 'all' | undefined;
  decision?: 'REVIEW' | 'BLOCK' | undefined;
  type?: string | undefined;
  modelVersion?: string | undefined;
  minScore?: number | undefined;
  maxScore?: number | undefined;
  minAmountMinor?: number | undefined;
  maxAmountMinor?: number | undefined;
  /** Alert (scoring) time range, epoch ms, inclusive. */
  from?: number | undefined;
  to?: number | undefined;
  assignedTo?: string | undefined;
}

export interface QueuePage {
  alerts: AlertRow[];
  /** Opaque cursor of the next page; undefined on the last page. */
  nextCursor: string | undefined;
}

/** The transaction and decision columns the alerts and decisions tables share. */
interface DecisionColumns {
  transaction_id: string;
  origin_account_id: string;
  destination_account_id: string;
  transaction_type: string;
  amount_minor: number;
  currency: string;
  score: number;
  decision: string;
  model_version: string;
  event_time: number;
}

interface AlertRecord extends DecisionColumns {
  review_threshold: number;
  block_threshold: number;
  reason_codes: string;
  scored_at: number;
  ingested_at: number;
  status: AlertStatus;
  verdict: Verdict | null;
  verdict_note: string | null;
  verdict_by: string | null;
  verdict_at: number | null;
  assigned_to: string | null;
}

function toAlert(r: AlertRecord): AlertRow {
  return {
    transactionId: r.transaction_id,
    originAccountId: r.origin_account_id,
    destinationAccountId: r.destination_account_id,
    transactionType: r.transaction_type,
    amountMinor: r.amount_minor,
    currency: r.currency,
    score: r.score,
    decision: r.decision,
    thresholds: { review: r.review_threshold, block: r.block_threshold },
    modelVersion: r.model_version,
    reasonCodes: JSON.parse(r.reason_codes) as ReasonCode[],
    eventTime: r.event_time,
    scoredAt: r.scored_at,
    ingestedAt: r.ingested_at,
    status: r.status,
    verdict: r.verdict,
    verdictNote: r.verdict_note,
    verdictBy: r.verdict_by,
    verdictAt: r.verdict_at,
    assignedTo: r.assigned_to,
  };
}

const ALERT_COLUMNS = [
  'transaction_id',
  'origin_account_id',
  'destination_account_id',
  'transaction_type',
  'amount_minor',
  'currency',
  'score',
  'decision',
  'review_threshold',
  'block_threshold',
  'model_version',
  'reason_codes',
  'event_time',
  'scored_at',
  'ingested_at',
] as const;

const DECISION_COLUMNS = [
  'transaction_id',
  'origin_account_id',
  'destination_account_id',
  'transaction_type',
  'amount_minor',
  'currency',
  'score',
  'decision',
  'model_version',
  'challenger_model_version',
  'challenger_score',
  'event_time',
  'scored_at',
] as const;

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK_ROWS = 200;

async function insertRows(
  tx: Queryable,
  table: string,
  columns: readonly string[],
  rows: SqlValue[][],
  conflict: string,
): Promise<number> {
  let inserted = 0;
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
    const chunk = rows.slice(i, i + INSERT_CHUNK_ROWS);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => placeholders).join(', ')} ${conflict}`;
    inserted += (await tx.run(sql, chunk.flat())).changes;
  }
  return inserted;
}

/** Inserts alerts; a transaction id seen before is left as it is (its verdict included). */
export async function insertAlerts(
  tx: Queryable,
  alerts: readonly FraudAlert[],
  nowMs: number,
): Promise<number> {
  const rows = alerts.map((a): SqlValue[] => [
    a.transactionId,
    a.originAccountId,
    a.destinationAccountId,
    a.transactionType,
    a.amountMinor,
    a.currency,
    a.score,
    a.decision,
    a.thresholds.review,
    a.thresholds.block,
    a.modelVersion,
    JSON.stringify(a.reasonCodes),
    a.eventTime,
    a.scoredAt,
    nowMs,
  ]);
  const inserted = await insertRows(
    tx,
    'alerts',
    ALERT_COLUMNS,
    rows,
    'ON CONFLICT (transaction_id) DO NOTHING',
  );
  for (const version of new Set(alerts.map((a) => a.modelVersion))) {
    await tx.run(
      'INSERT INTO model_versions (version, first_seen) VALUES (?, ?) ON CONFLICT (version) DO NOTHING',
      [version, nowMs],
    );
  }
  return inserted;
}

export function insertDecisions(tx: Queryable, decisions: readonly FraudDecision[]): Promise<number> {
  const rows = decisions.map((d): SqlValue[] => [
    d.transactionId,
    d.originAccountId,
    d.destinationAccountId,
    d.transactionType,
    d.amountMinor,
    d.currency,
    d.score,
    d.decision,
    d.modelVersion,
    d.challengerModelVersion,
    d.challengerScore,
    d.eventTime,
    d.scoredAt,
  ]);
  return insertRows(tx, 'decisions', DECISION_COLUMNS, rows, 'ON CONFLICT (transaction_id) DO NOTHING');
}

/** Cursor = the last row's sort key; base64url JSON so it survives a query string. */
export function encodeCursor(sort: QueueSort, row: AlertRow): string {
  const key = sort === 'score' ? row.score : row.scoredAt;
  return Buffer.from(JSON.stringify([key, row.transactionId])).toString('base64url');
}

export class CursorError extends Error {
  readonly field = 'cursor';
}

export function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'string'
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through: the message below names the field
  }
  throw new CursorError('cursor is not one this server issued');
}

/**
 * One page of the queue, newest first or highest score first. Keyset paging on
 * (sort key, transaction_id): every page is an index range scan, however deep.
 */
export async function listAlerts(
  db: Db,
  filter: QueueFilter,
  sort: QueueSort,
  limit: number,
  cursor?: string,
): Promise<QueuePage> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, ...values: SqlValue[]) => {
    where.push(clause);
    params.push(...values);
  };
  const status = filter.status ?? 'open';
  if (status !== 'all') add('status = ?', status);
  if (filter.decision) add('decision = ?', filter.decision);
  if (filter.type) add('transaction_type = ?', filter.type);
  if (filter.modelVersion) add('model_version = ?', filter.modelVersion);
  // On SQLite a range on score or amount lures the planner away from the index that yields rows
  // in page order (it then sorts every match, on every page); unary plus (`+score`) makes the
  // column an expression no index covers. PostgreSQL's cost-based planner gets this right alone.
  const plain = db.dialect === 'sqlite' ? '+' : '';
  if (filter.minScore !== undefined) add(`${plain}score >= ?`, filter.minScore);
  if (filter.maxScore !== undefined) add(`${plain}score <= ?`, filter.maxScore);
  if (filter.minAmountMinor !== undefined) add(`${plain}amount_minor >= ?`, filter.minAmountMinor);
  if (filter.maxAmountMinor !== undefined) add(`${plain}amount_minor <= ?`, filter.maxAmountMinor);
  if (filter.from !== undefined) add('scored_at >= ?', filter.from);
  if (filter.to !== undefined) add('scored_at <= ?', filter.to);
  if (filter.assignedTo) add('assigned_to = ?', filter.assignedTo);
  const key = sort === 'score' ? 'score' : 'scored_at';
  if (cursor) {
    const [value, id] = decodeCursor(cursor);
    add(`(${key}, transaction_id) < (?, ?)`, value, id);
  }
  const sql =
    `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
    `ORDER BY ${key} DESC, transaction_id DESC LIMIT ?`;
  const rows = (await db.all<AlertRecord>(sql, [...params, limit + 1])).map(toAlert);
  const more = rows.length > limit;
  const alerts = more ? rows.slice(0, limit) : rows;
  return { alerts, nextCursor: more ? encodeCursor(sort, alerts[alerts.length - 1]!) : undefined };
}

export async function getAlert(db: Queryable, transactionId: string): Promise<AlertRow | undefined> {
  const row = await db.get<AlertRecord>('SELECT * FROM alerts WHERE transaction_id = ?', [transactionId]);
  return row ? toAlert(row) : undefined;
}

/** Counting stops at `cap`: the header says "10,000+ open" instead of counting a huge backlog per page view. */
export async function countAlerts(
  db: Db,
  status: AlertStatus,
  cap = 10_000,
): Promise<{ count: number; capped: boolean }> {
  const row = await db.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM (SELECT 1 FROM alerts WHERE status = ? LIMIT ?) capped',
    [status, cap + 1],
  );
  const n = Number(row?.n ?? 0);
  return { count: Math.min(n, cap), capped: n > cap };
}

/** Model versions for the filter menu, newest first. */
export async function filterChoices(db: Db): Promise<{ modelVersions: string[] }> {
  const rows = await db.all<{ version: string }>(
    'SELECT version FROM model_versions ORDER BY first_seen DESC, version DESC LIMIT 50',
  );
  return { modelVersions: rows.map((r) => r.version) };
}

export interface HistoryRow {
  transactionId: string;
  direction: 'out' | 'in';
  counterparty: string;
  transactionType: string;
  amountMinor: number;
  currency: string;
  score: number;
  decision: string;
  modelVersion: string;
  eventTime: number;
  label: boolean | null;
}

/** The account's most recent decisions, sent and received, with any label they have. */
export async function accountHistory(db: Db, accountId: string, limit = 20): Promise<HistoryRow[]> {
  const rows = await db.all<DecisionColumns & { is_fraud: number | null }>(
    `SELECT d.*, l.is_fraud FROM (
       SELECT * FROM (SELECT * FROM decisions WHERE origin_account_id = ? ORDER BY event_time DESC LIMIT ?) o
       UNION
       SELECT * FROM (SELECT * FROM decisions WHERE destination_account_id = ? ORDER BY event_time DESC LIMIT ?) i
     ) d LEFT JOIN labels l ON l.transaction_id = d.transaction_id
     ORDER BY d.event_time DESC, d.transaction_id DESC LIMIT ?`,
    [accountId, limit, accountId, limit, limit],
  );
  return rows.map((r) => ({
    transactionId: r.transaction_id,
    direction: r.origin_account_id === accountId ? 'out' : 'in',
    counterparty: r.origin_account_id === accountId ? r.destination_account_id : r.origin_account_id,
    transactionType: r.transaction_type,
    amountMinor: r.amount_minor,
    currency: r.currency,
    score: r.score,
    decision: r.decision,
    modelVersion: r.model_version,
    eventTime: r.event_time,
    label: r.is_fraud === null || r.is_fraud === undefined ? null : Number(r.is_fraud) === 1,
  }));
}

export interface VerdictRecord {
  verdict: Verdict;
  note: string;
  userEmail: string;
  createdAt: number;
}

export async function verdictHistory(db: Db, transactionId: string): Promise<VerdictRecord[]> {
  const rows = await db.all<{ verdict: Verdict; note: string; user_email: string; created_at: number }>(
    'SELECT verdict, note, user_email, created_at FROM verdicts WHERE transaction_id = ? ORDER BY id DESC',
    [transactionId],
  );
  return rows.map((r) => ({
    verdict: r.verdict,
    note: r.note,
    userEmail: r.user_email,
    createdAt: r.created_at,
  }));
}
