import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DATASET_FILES,
  DATASET_SCHEMA_VERSION,
  FIXED_COLUMNS,
  LABEL_AUDIT_COLUMNS,
  csvCell,
  featureCell,
  type DatasetRow,
  type LabelAuditRow,
} from './format.ts';
import type { DatasetManifest } from './manifest.ts';

/** Everything in the manifest that the writer does not compute itself. */
export type DatasetDescription = Omit<
  DatasetManifest,
  'schema_version' | 'dataset_id' | 'created' | 'rows' | 'label_counts' | 'files' | 'models' | 'time_range'
> & { time_range: { from: string; to: string } };

export interface WrittenDataset {
  dir: string;
  manifest: DatasetManifest;
}

function dataCsv(rows: readonly DatasetRow[], featureNames: readonly string[]): string {
  const lines: string[] = [[...FIXED_COLUMNS, ...featureNames].map(csvCell).join(',')];
  for (const row of rows) {
    if (row.features.length !== featureNames.length) {
      throw new Error(
        `row ${row.transactionId}: ${row.features.length} features, expected ${featureNames.length}`,
      );
    }
    const cells = [
      csvCell(row.transactionId),
      String(row.eventTimeMs),
      csvCell(row.modelVersion),
      String(row.label),
      csvCell(row.labelSource),
    ];
    for (let i = 0; i < row.features.length; i += 1) cells.push(featureCell(row.features[i]!));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

function auditCsv(rows: readonly LabelAuditRow[]): string {
  const lines: string[] = [LABEL_AUDIT_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        csvCell(r.transactionId),
        String(r.isFraud),
        csvCell(r.source),
        String(r.labeledAtMs),
        String(r.partition),
        r.offset,
        r.status,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Event-time order (then id), so the same rows always give the same bytes and the same id. */
function ordered(rows: readonly DatasetRow[]): DatasetRow[] {
  return [...rows].sort(
    (a, b) =>
      a.eventTimeMs - b.eventTimeMs ||
      (a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0),
  );
}

/**
 * Writes `<outDir>/<dataset_id>/` (data, label audit, manifest) through a staging directory
 * renamed into place, so a reader never sees half a dataset. The id comes from the content hash:
 * writing the same dataset twice is a no-op that returns the existing directory.
 */
export async function writeFeatureDataset(
  outDir: string,
  rows: readonly DatasetRow[],
  audit: readonly LabelAuditRow[],
  description: DatasetDescription,
  now = new Date(),
): Promise<WrittenDataset> {
  const sorted = ordered(rows);
  const data = dataCsv(sorted, description.feature_set.feature_names);
  const auditText = auditCsv(audit);
  const dataSha = sha256(data);
  const datasetId = `ds-${dataSha.slice(0, 12)}`;
  const models: Record<string, number> = {};
  let fraud = 0;
  let matured = 0;
  for (const row of sorted) {
    models[row.modelVersion] = (models[row.modelVersion] ?? 0) + 1;
    if (row.label === 1) fraud += 1;
    else if (row.labelSource === 'matured') matured += 1;
  }
  const manifest: DatasetManifest = {
    schema_version: DATASET_SCHEMA_VERSION,
    dataset_id: datasetId,
    created: now.toISOString(),
    ...description,
    time_range: {
      ...description.time_range,
      first_event: sorted.length > 0 ? new Date(sorted[0]!.eventTimeMs).toISOString() : null,
      last_event: sorted.length > 0 ? new Date(sorted.at(-1)!.eventTimeMs).toISOString() : null,
    },
    rows: sorted.length,
    label_counts: {
      fraud,
      legitimate_labelled: sorted.length - fraud - matured,
      legitimate_matured: matured,
    },
    models,
    files: {
      data: { name: DATASET_FILES.data, sha256: dataSha, bytes: Buffer.byteLength(data) },
      label_audit: {
        name: DATASET_FILES.labelAudit,
        sha256: sha256(auditText),
        bytes: Buffer.byteLength(auditText),
        rows: audit.length,
      },
    },
  };

  await mkdir(outDir, { recursive: true });
  const dir = path.join(outDir, datasetId);
  if (await exists(dir)) return { dir, manifest };
  const staging = path.join(outDir, `.staging-${datasetId}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  try {
    await writeFile(path.join(staging, DATASET_FILES.data), data);
    await writeFile(path.join(staging, DATASET_FILES.labelAudit), auditText);
    await writeFile(path.join(staging, DATASET_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { dir, manifest };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
