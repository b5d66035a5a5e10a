/**
 * Everything an analyst changes, each in one database transaction with its audit row and, for a
 * verdict that is a label, its outbox row: a verdict is never recorded without its label or
 * published without being recorded.
 */
import type { FraudLabel } from '@fraud/contracts';
import type { Db, Queryable } from '../db/db.ts';
import { getAlert, type AlertRow, type AlertStatus, type Verdict } from './alerts.ts';

export class NotFoundError extends Error {}

/** The alert of `transactionId`; NotFoundError when there is none. */
async function requireAlert(db: Queryable, transactionId: string): Promise<AlertRow> {
  const alert = await getAlert(db, transactionId);
  if (!alert) throw new NotFoundError(`no alert for transaction ${transactionId}`);
  return alert;
}

export interface Actor {
  email: string;
}

export function audit(
  tx: Queryable,
  actor: string,
  action: string,
  target: string,
  detail: Record<string, unknown>,
  nowMs: number,
): Promise<{ changes: number }> {
  return tx.run('INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)', [
    nowMs,
    actor,
    action,
    target,
    JSON.stringify(detail),
  ]);
}

/** What the outbox holds for a label: the FraudLabel itself, as JSON (labeledAt in epoch ms). */
export function enqueueLabel(
  tx: Queryable,
  topic: string,
  label: FraudLabel,
  nowMs: number,
): Promise<{ changes: number }> {
  return tx.run('INSERT INTO outbox (topic, message_key, payload, created_at) VALUES (?, ?, ?, ?)', [
    topic,
    label.transactionId,
    JSON.stringify(label),
    nowMs,
  ]);
}

export const STATUS_AFTER: Record<Verdict, AlertStatus> = {
  fraud: 'closed',
  legit: 'closed',
  unsure: 'unsure',
};

/**
 * Records a verdict (re-verdicts allowed: the latest wins). fraud and legit become a FraudLabel
 * (source "analyst") in the outbox; unsure is recorded and parks the alert without a label.
 */
export async function recordVerdict(
  db: Db,
  labelsTopic: string,
  transactionId: string,
  verdict: Verdict,
  note: string,
  actor: Actor,
  nowMs = Date.now(),
): Promise<AlertRow> {
  return db.transaction(async (tx) => {
    const alert = await requireAlert(tx, transactionId);
    await tx.run(
      `UPDATE alerts SET status = ?, verdict = ?, verdict_note = ?, verdict_by = ?, verdict_at = ?
       WHERE transaction_id = ?`,
      [STATUS_AFTER[verdict], verdict, note, actor.email, nowMs, transactionId],
    );
    await tx.run(
      'INSERT INTO verdicts (transaction_id, verdict, note, user_email, created_at) VALUES (?, ?, ?, ?, ?)',
      [transactionId, verdict, note, actor.email, nowMs],
    );
    if (verdict !== 'unsure') {
      await enqueueLabel(
        tx,
        labelsTopic,
        { transactionId, isFraud: verdict === 'fraud', source: 'analyst', labeledAt: nowMs },
        nowMs,
      );
    }
    await audit(tx, actor.email, 'verdict', transactionId, { verdict, note, previous: alert.verdict }, nowMs);
    return (await getAlert(tx, transactionId))!;
  });
}

/** Lead: puts an alert back in the open queue (its earlier verdicts and labels stay on record). */
export async function reopenAlert(
  db: Db,
  transactionId: string,
  actor: Actor,
  nowMs = Date.now(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const alert = await requireAlert(tx, transactionId);
    await tx.run("UPDATE alerts SET status = 'open' WHERE transaction_id = ?", [transactionId]);
    await audit(tx, actor.email, 'reopen', transactionId, { previousStatus: alert.status }, nowMs);
  });
}

/** Lead: assigns an alert to a user (or clears the assignment with null). */
export async function assignAlert(
  db: Db,
  transactionId: string,
  assignee: string | null,
  actor: Actor,
  nowMs = Date.now(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const alert = await requireAlert(tx, transactionId);
    await tx.run('UPDATE alerts SET assigned_to = ? WHERE transaction_id = ?', [assignee, transactionId]);
    await audit(tx, actor.email, 'assign', transactionId, { from: alert.assignedTo, to: assignee }, nowMs);
  });
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

export function recentAudit(db: Db, limit = 200): Promise<AuditEntry[]> {
  return db.all<AuditEntry>(
    'SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?',
    [limit],
  );
}
