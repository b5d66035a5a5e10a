import { DATASET_SCHEMA_VERSION } from './format.ts';

/** Thrown for a dataset directory that is missing, malformed or does not match its hashes. */
export class DatasetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatasetError';
  }
}

/**
 * Thrown when a dataset is not worth training on (too few frauds or rows); the message names
 * the counts. Nothing is written.
 */
export class DatasetRefusedError extends Error {
  constructor(
    message: string,
    readonly counts: { rows: number; frauds: number; legitimate: number },
  ) {
    super(message);
    this.name = 'DatasetRefusedError';
  }
}

/** manifest.json of a feature dataset (snake case: a file format other tools read too). */
export interface DatasetManifest {
  schema_version: typeof DATASET_SCHEMA_VERSION;
  /** `ds-<first 12 hex of sha256(data.csv)>`: the same content always gets the same id. */
  dataset_id: string;
  created: string;
  /** Decisions with event time in [from, to) are candidates (ISO 8601 UTC). */
  time_range: { from: string; to: string; first_event: string | null; last_event: string | null };
  /** Labels count only when labelled at or before this instant (point in time). */
  labels_as_of: string;
  /** Unlabelled transactions older than this (relative to labels_as_of) count as legitimate. */
  maturity_ms: number;
  feature_set: { fingerprint: string; version: string; feature_names: string[] };
  rows: number;
  label_counts: { fraud: number; legitimate_labelled: number; legitimate_matured: number };
  labels: {
    /** Label events read (all transactions, all times). */
    events: number;
    /** Events after labels_as_of: ignored for this dataset. */
    after_as_of: number;
    /** Transactions in the dataset whose verdict changed (a later label superseded an earlier one). */
    corrected: number;
    /** Labelled transactions the decisions topic has no decision for: kept (audit) and counted. */
    unknown_transactions: number;
  };
  excluded: {
    /** Unlabelled and younger than the maturity window: their outcome is not known yet. */
    immature_unlabelled: number;
    /** Decisions without a logged feature vector (logging off, or written before it existed). */
    without_features: number;
    /** Vectors computed by other feature code than this dataset's feature set. */
    other_feature_set: number;
    /** A transaction id seen again (a redelivery): the first decision is kept. */
    duplicate_decisions: number;
  };
  /** Rows per model version that decided them. */
  models: Record<string, number>;
  source: { decisions_topic: string; labels_topic: string; decisions_read: number };
  files: {
    data: { name: string; sha256: string; bytes: number };
    label_audit: { name: string; sha256: string; bytes: number; rows: number };
  };
}

export const DATASET_ID_PATTERN = /^ds-[0-9a-f]{12}$/;

/** Structural check of a parsed manifest; every error names the field. */
export function validateDatasetManifest(value: unknown, file: string): DatasetManifest {
  const fail = (field: string, problem: string): never => {
    throw new DatasetError(`${file}: ${field} ${problem}`);
  };
  if (typeof value !== 'object' || value === null) fail('(root)', 'must be an object');
  const m = value as Record<string, unknown>;
  if (m.schema_version !== DATASET_SCHEMA_VERSION)
    fail('schema_version', `must be ${DATASET_SCHEMA_VERSION}, got ${JSON.stringify(m.schema_version)}`);
  if (typeof m.dataset_id !== 'string' || !DATASET_ID_PATTERN.test(m.dataset_id))
    fail('dataset_id', `must match ${String(DATASET_ID_PATTERN)}`);
  if (!Number.isInteger(m.rows) || (m.rows as number) < 0) fail('rows', 'must be an integer >= 0');
  const fs = m.feature_set as Record<string, unknown> | undefined;
  if (typeof fs?.fingerprint !== 'string') fail('feature_set.fingerprint', 'must be a string');
  if (!Array.isArray(fs?.feature_names) || fs.feature_names.some((n) => typeof n !== 'string'))
    fail('feature_set.feature_names', 'must be an array of strings');
  const files = m.files as Record<string, Record<string, unknown>> | undefined;
  for (const key of ['data', 'label_audit'] as const) {
    const f = files?.[key];
    if (typeof f?.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(f.name))
      fail(`files.${key}.name`, 'must be a plain file name');
    if (typeof f?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
      fail(`files.${key}.sha256`, 'must be a sha256 hex digest');
  }
  const counts = m.label_counts as Record<string, unknown> | undefined;
  for (const key of ['fraud', 'legitimate_labelled', 'legitimate_matured'] as const) {
    if (!Number.isInteger(counts?.[key])) fail(`label_counts.${key}`, 'must be an integer');
  }
  return value as DatasetManifest;
}
