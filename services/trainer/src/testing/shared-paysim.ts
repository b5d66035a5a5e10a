/**
 * The real PaySim rows the tests train and backtest on. They are not in the repository (CC BY-SA
 * data, 3.7 MB): the workplace keeps them beside every clone, at ../shared/data/ from the repo root.
 * A test that needs them fails, naming the path, when they are missing: it must never pass by
 * silently testing nothing.
 */
import { createReadStream, existsSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is <root>/services/trainer/src/testing/shared-paysim.ts. */
export const REPO_ROOT = path.resolve(
  path.dirname(realpathSync(fileURLToPath(import.meta.url))),
  '../../../..',
);

export const SHARED_PAYSIM_CSV = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'paysim-first-50k.csv');

/** The shared file's facts the tests rely on (its README: first 50,000 rows, steps 1-9, 100 frauds). */
export const SHARED_PAYSIM_ROWS = 50_000;
export const SHARED_PAYSIM_FRAUDS = 100;

export function requireSharedPaysim(): string {
  if (!existsSync(SHARED_PAYSIM_CSV)) {
    throw new Error(
      `real PaySim rows not found at ${SHARED_PAYSIM_CSV} (expected ../shared/data/paysim-first-50k.csv ` +
        `beside the repository root ${REPO_ROOT}); this test needs them and does not skip`,
    );
  }
  return SHARED_PAYSIM_CSV;
}

export interface PaysimSubset {
  rows: number;
  frauds: number;
}

/** Copies the header and the data rows with step <= maxStep to `out`; returns what it kept. */
export async function writeStepsUpTo(source: string, out: string, maxStep: number): Promise<PaysimSubset> {
  const lines = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
  const kept: string[] = [];
  let row = -1;
  let frauds = 0;
  for await (const line of lines) {
    if (row === -1) {
      kept.push(line);
      row = 0;
      continue;
    }
    if (line === '') continue;
    const cells = line.split(',');
    if (Number(cells[0]) <= maxStep) {
      kept.push(line);
      if (cells[9] === '1') frauds += 1;
    }
    row += 1;
  }
  await writeFile(out, `${kept.join('\n')}\n`);
  return { rows: kept.length - 1, frauds };
}
