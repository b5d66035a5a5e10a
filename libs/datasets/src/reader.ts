import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DATASET_FILES, FIXED_COLUMNS, parseFeatureCell } from './format.ts';
import { DatasetError, validateDatasetManifest, type DatasetManifest } from './manifest.ts';

/** A dataset loaded as columnar typed arrays (the trainer's matrix layout). */
export interface LoadedDataset {
  dir: string;
  manifest: DatasetManifest;
  /** Row-major float32 [rows, features]; NaN = missing. */
  features: Float32Array;
  cols: number;
  labels: Int8Array;
  eventTimes: Float64Array;
  transactionIds: string[];
  modelVersions: string[];
}

/** True when `dir` is a directory holding a dataset manifest. */
export async function isFeatureDatasetDir(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory() && (await stat(path.join(dir, DATASET_FILES.manifest))).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads a dataset directory and checks it: manifest fields, the data file's sha256, header and
 * row count against the manifest. Any mismatch throws DatasetError naming it.
 */
export async function readFeatureDataset(dir: string): Promise<LoadedDataset> {
  const manifestFile = path.join(dir, DATASET_FILES.manifest);
  let manifest: DatasetManifest;
  try {
    manifest = validateDatasetManifest(JSON.parse(await readFile(manifestFile, 'utf8')), manifestFile);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`${manifestFile}: cannot read (${(error as Error).message})`, { cause: error });
  }
  const dataFile = path.join(dir, manifest.files.data.name);
  const bytes = await readFile(dataFile);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== manifest.files.data.sha256) {
    throw new DatasetError(
      `${dataFile}: sha256 ${sha} does not match the manifest's ${manifest.files.data.sha256} (changed after it was written)`,
    );
  }
  const records: string[][] = parse(bytes, { relax_column_count: false });
  const header = records[0];
  const featureNames = manifest.feature_set.feature_names;
  const expected = [...FIXED_COLUMNS, ...featureNames];
  if (!header || header.join(',') !== expected.join(',')) {
    throw new DatasetError(`${dataFile}: header does not match the manifest's columns`);
  }
  const rows = records.length - 1;
  if (rows !== manifest.rows) {
    throw new DatasetError(`${dataFile}: ${rows} rows, the manifest says ${manifest.rows}`);
  }
  const cols = featureNames.length;
  const features = new Float32Array(rows * cols);
  const labels = new Int8Array(rows);
  const eventTimes = new Float64Array(rows);
  const transactionIds: string[] = new Array<string>(rows);
  const modelVersions: string[] = new Array<string>(rows);
  const fixed = FIXED_COLUMNS.length;
  for (let r = 0; r < rows; r += 1) {
    const cells = records[r + 1]!;
    const line = r + 2;
    transactionIds[r] = cells[0]!;
    const eventTime = Number(cells[1]);
    if (!Number.isFinite(eventTime)) throw new DatasetError(`${dataFile}:${line}: bad event_time_ms`);
    eventTimes[r] = eventTime;
    modelVersions[r] = cells[2]!;
    if (cells[3] !== '0' && cells[3] !== '1')
      throw new DatasetError(`${dataFile}:${line}: label must be 0 or 1, got "${cells[3]}"`);
    labels[r] = cells[3] === '1' ? 1 : 0;
    for (let c = 0; c < cols; c += 1) {
      const v = parseFeatureCell(cells[fixed + c]!);
      if (Number.isNaN(v) && cells[fixed + c] !== '')
        throw new DatasetError(`${dataFile}:${line}: ${featureNames[c]} is not a number`);
      features[r * cols + c] = v;
    }
  }
  return { dir, manifest, features, cols, labels, eventTimes, transactionIds, modelVersions };
}
