import { parseFileValue } from '@fraud/contracts';
import { z } from 'zod';
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

export const DATASET_ID_PATTERN = /^ds-[0-9a-f]{12}$/;

const count = z.int().min(0);
const fileName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a plain file name');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

/** manifest.json of a feature dataset (snake case: a file format other tools read too). */
const datasetManifestSchema = z.object({
  schema_version: z.literal(DATASET_SCHEMA_VERSION),
  /** `ds-<first 12 hex of sha256(data.csv)>`: the same content always gets the same id. */
  dataset_id: z.string().regex(DATASET_ID_PATTERN, `must match ${String(DATASET_ID_PATTERN)}`),
  created: z.string(),
  /** Decisions with event time in [from, to) are candidates (ISO 8601 UTC). */
  time_range: z.object({
    from: z.string(),
    to: z.string(),
    first_event: z.string().nullable(),
    last_event: z.string().nullable(),
  }),
  /** Labels count only when labelled at or before this instant (point in time). */
  labels_as_of: z.string(),
  /** Unlabelled transactions older than this (relative to labels_as_of) count as legitimate. */
  maturity_ms: z.number().min(0),
  feature_set: z.object({ fingerprint: z.string(), version: z.string(), feature_names: z.array(z.string()) }),
  rows: count,
  label_counts: z.object({ fraud: count, legitimate_labelled: count, legitimate_matured: count }),
  labels: z.object({
    /** Label events read (all transactions, all times). */
    events: count,
    /** Events after labels_as_of: ignored for this dataset. */
    after_as_of: count,
    /** Transactions in the dataset whose verdict changed (a later label superseded an earlier one). */
    corrected: count,
    /** Labelled transactions the decisions topic has no decision for: kept (audit) and counted. */
    unknown_transactions: count,
  }),
  excluded: z.object({
    /** Unlabelled and younger than the maturity window: their outcome is not known yet. */
    immature_unlabelled: count,
    /** Decisions without a logged feature vector (logging off, or written before it existed). */
    without_features: count,
    /** Vectors computed by other feature code than this dataset's feature set. */
    other_feature_set: count,
    /** A transaction id seen again (a redelivery): the first decision is kept. */
    duplicate_decisions: count,
  }),
  /** Rows per model version that decided them. */
  models: z.record(z.string(), count),
  source: z.object({ decisions_topic: z.string(), labels_topic: z.string(), decisions_read: count }),
  files: z.object({
    data: z.object({ name: fileName, sha256, bytes: count }),
    label_audit: z.object({ name: fileName, sha256, bytes: count, rows: count }),
  }),
});
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;

/** Checks a parsed manifest.json; a DatasetError names the file and the first bad field. */
export function validateDatasetManifest(value: unknown, file: string): DatasetManifest {
  return parseFileValue(
    datasetManifestSchema,
    value,
    file,
    (f, field, problem) => new DatasetError(`${f}: ${field} ${problem}`),
  );
}
