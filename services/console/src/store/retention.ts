/**
 * Decisions and labels are context (account history, alert rate, recall), one row per scored
 * transaction: at production rates they would fill the case store. Rows older than the retention
 * are deleted in bounded batches; alerts, verdicts and the audit log are kept.
 */
import type { Db } from '../db/db.ts';

const BATCH_ROWS = 10_000;

export async function pruneContext(
  db: Db,
  olderThanMs: number,
  maxBatches = 100,
): Promise<{ decisions: number; labels: number }> {
  let decisions = 0;
  let labels = 0;
  for (let i = 0; i < maxBatches; i++) {
    const { changes } = await db.run(
      'DELETE FROM decisions WHERE transaction_id IN (SELECT transaction_id FROM decisions WHERE scored_at < ? LIMIT ?)',
      [olderThanMs, BATCH_ROWS],
    );
    decisions += changes;
    if (changes < BATCH_ROWS) break;
  }
  for (let i = 0; i < maxBatches; i++) {
    const { changes } = await db.run(
      'DELETE FROM labels WHERE transaction_id IN (SELECT transaction_id FROM labels WHERE labeled_at < ? LIMIT ?)',
      [olderThanMs, BATCH_ROWS],
    );
    labels += changes;
    if (changes < BATCH_ROWS) break;
  }
  return { decisions, labels };
}
