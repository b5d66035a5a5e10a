/**
 * The feature-dataset format: what the dataset builder writes and the trainer reads.
 *
 * A dataset is a directory `<id>/` with
 * - `data.csv`: one row per labelled transaction, in event-time order, with the FIXED_COLUMNS then
 *   one column per feature (the model input order). Features are the float32 values the scorer
 *   logged, written as the shortest decimal that reads back to the same float32; empty = NaN
 *   (missing).
 * - `label-audit.csv`: every label event behind the rows (audit trail: corrections included).
 * - `manifest.json`: counts, time range, feature set and the sha256 of both files.
 */
export const DATASET_SCHEMA_VERSION = 1;

export const DATASET_FILES = {
  manifest: 'manifest.json',
  data: 'data.csv',
  labelAudit: 'label-audit.csv',
} as const;

export const FIXED_COLUMNS = [
  'transaction_id',
  'event_time_ms',
  'model_version',
  'label',
  'label_source',
] as const;

export const LABEL_AUDIT_COLUMNS = [
  'transaction_id',
  'is_fraud',
  'source',
  'labeled_at_ms',
  'partition',
  'offset',
  'status',
] as const;

/**
 * A label event's part in a dataset: `effective` (the verdict that counts), `superseded` (an
 * earlier verdict a later one replaced), `after_as_of` (labelled after the cut: not used yet),
 * `unknown_transaction` (no decision exists for it: kept here and counted, not fatal).
 */
export type LabelStatus = 'effective' | 'superseded' | 'after_as_of' | 'unknown_transaction';

/** Where a row's label came from: a label event, or the maturity rule (unlabelled long enough). */
export const MATURED_LABEL_SOURCE = 'matured';

/** One dataset row. */
export interface DatasetRow {
  transactionId: string;
  eventTimeMs: number;
  /** The champion that decided the transaction (and whose input the features are). */
  modelVersion: string;
  label: 0 | 1;
  /** The winning label's source (`analyst`, `chargeback`, `simulator`, ...) or `matured`. */
  labelSource: string;
  features: ArrayLike<number>;
}

/** One label event as read from the labels topic, for the audit file. */
export interface LabelAuditRow {
  transactionId: string;
  isFraud: boolean;
  source: string;
  labeledAtMs: number;
  partition: number;
  offset: string;
  status: LabelStatus;
}

/** A CSV cell: quoted only when it must be (a comma, a quote or a line break inside). */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A float32 as the shortest decimal that parses back to the same float32 (NaN = empty cell).
 * The value is already a double holding a float32 exactly, so String() is exact and round-trips.
 */
export function featureCell(value: number): string {
  return Number.isNaN(value) ? '' : String(Math.fround(value));
}

export function parseFeatureCell(cell: string): number {
  return cell === '' ? Number.NaN : Math.fround(Number(cell));
}
