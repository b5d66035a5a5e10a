import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DatasetError,
  readFeatureDataset,
  writeFeatureDataset,
  type DatasetDescription,
  type DatasetRow,
} from './index.ts';

const names = ['a', 'b', 'c'];
const description: DatasetDescription = {
  time_range: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
  labels_as_of: '2026-01-02T00:00:00.000Z',
  maturity_ms: 1000,
  feature_set: { fingerprint: 'f'.repeat(64), version: '1', feature_names: names },
  labels: { events: 3, after_as_of: 0, corrected: 1, unknown_transactions: 1 },
  excluded: { immature_unlabelled: 0, without_features: 0, other_feature_set: 0, duplicate_decisions: 0 },
  source: { decisions_topic: 'd', labels_topic: 'l', decisions_read: 2 },
};
const rows: DatasetRow[] = [
  // Written out of order: the writer sorts by event time.
  {
    transactionId: 'tx,"2"',
    eventTimeMs: 2000,
    modelVersion: 'm1',
    label: 0,
    labelSource: 'matured',
    features: [Math.fround(0.1), Number.NaN, -3],
  },
  {
    transactionId: 'tx1',
    eventTimeMs: 1000,
    modelVersion: 'm1',
    label: 1,
    labelSource: 'analyst',
    features: [Math.fround(1e-7), 7, Math.fround(123.456)],
  },
];

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('feature dataset files', () => {
  it('round-trips float32 features bit for bit (NaN included), in event-time order, with counts and a content id', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ds-test-'));
    const written = await writeFeatureDataset(dir, rows, [], description);
    expect(written.manifest.dataset_id).toMatch(/^ds-[0-9a-f]{12}$/);
    expect(written.manifest.label_counts).toEqual({
      fraud: 1,
      legitimate_labelled: 0,
      legitimate_matured: 1,
    });
    expect(written.manifest.time_range.first_event).toBe(new Date(1000).toISOString());
    const loaded = await readFeatureDataset(written.dir);
    expect(loaded.transactionIds).toEqual(['tx1', 'tx,"2"']);
    expect([...loaded.labels]).toEqual([1, 0]);
    expect([...loaded.features]).toEqual([...new Float32Array([1e-7, 7, 123.456, 0.1, Number.NaN, -3])]);
    // Same content, same id and directory.
    const again = await writeFeatureDataset(dir, rows, [], description);
    expect(again.dir).toBe(written.dir);
  });

  it('refuses a data file changed after it was written, naming the hash mismatch', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ds-test-'));
    const written = await writeFeatureDataset(dir, rows, [], description);
    const file = path.join(written.dir, 'data.csv');
    await writeFile(file, (await readFile(file, 'utf8')).replace('analyst', 'analyzt'));
    await expect(readFeatureDataset(written.dir)).rejects.toThrow(DatasetError);
    await expect(readFeatureDataset(written.dir)).rejects.toThrow(/does not match the manifest/);
  });
});
