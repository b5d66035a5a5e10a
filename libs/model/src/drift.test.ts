import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@fraud/test-support';
import {
  DRIFT_REFERENCE_FILE,
  DriftMonitor,
  binDistribution,
  binOf,
  buildDriftReference,
  psi,
  readDriftReference,
} from './drift.ts';

/** Deterministic pseudo-random values in [0, 1). */
function uniform(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, seededRandom(seed));
}

describe('drift', () => {
  it('bins with the left-closed rule and quantile edges', () => {
    expect(binOf(0.5, [1, 2])).toBe(0);
    expect(binOf(1, [1, 2])).toBe(1);
    expect(binOf(5, [1, 2])).toBe(2);
    const d = binDistribution(uniform(10_000, 1), 10);
    expect(d.edges).toHaveLength(9);
    for (const p of d.proportions) expect(p).toBeCloseTo(0.1, 2);
    expect(binDistribution([1, 1, 1, Number.NaN], 10)).toEqual({
      edges: [1],
      proportions: [0, 1],
      missing_ratio: 0.25,
    });
  });

  it('PSI is ~0 for the same distribution and large for a shifted one', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.4 * Math.log(1.8) + -0.4 * Math.log(0.2), 10);
  });

  it('a monitor over live rows reports low PSI for the training distribution and high PSI after a shift', () => {
    const rows = 20_000;
    const train = uniform(rows * 2, 7); // 2 features, row-major
    const scores = uniform(rows, 9);
    const reference = buildDriftReference({ data: train, rows, cols: 2 }, ['a', 'b'], [0, rows], scores);
    const monitor = new DriftMonitor(reference, 5_000);
    const live = uniform(5_000 * 2, 11);
    monitor.observe(live, 5_000, uniform(5_000, 13));
    const stable = monitor.snapshot();
    expect(stable.features.map((f) => f.psi).every((v) => v < 0.02)).toBe(true);
    expect(stable.scorePsi).toBeLessThan(0.02);

    const shifted = live.map((v, i) => (i % 2 === 0 ? v * 0.3 : Number.NaN)); // a squeezed, b missing
    monitor.observe(
      shifted,
      5_000,
      uniform(5_000, 17).map((v) => v * v),
    );
    const drifted = monitor.snapshot();
    expect(drifted.features[0]!.psi).toBeGreaterThan(0.2);
    expect(drifted.features[1]!.missingRatio).toBe(1);
    expect(drifted.scorePsi).toBeGreaterThan(0.1);
    expect(monitor.observedRows).toBe(5_000);
  });

  it('reads a reference file and refuses one for other features', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'drift-'));
    expect(await readDriftReference(dir, ['a'])).toBeUndefined();
    const reference = buildDriftReference(
      { data: uniform(200, 3), rows: 100, cols: 2 },
      ['a', 'b'],
      [0, 100],
      uniform(100, 5),
    );
    await writeFile(path.join(dir, DRIFT_REFERENCE_FILE), JSON.stringify(reference));
    expect((await readDriftReference(dir, ['a', 'b']))?.features).toHaveLength(2);
    await expect(readDriftReference(dir, ['b', 'a'])).rejects.toThrow(/names differ/);
    const file = path.join(dir, DRIFT_REFERENCE_FILE);
    await writeFile(file, JSON.stringify({ ...reference, score: { ...reference.score, edges: [2, 1] } }));
    await expect(readDriftReference(dir, ['a', 'b'])).rejects.toThrow(
      `${file}: score.edges must be ascending`,
    );
    const features = [{ ...reference.features[0]!, proportions: [1] }, reference.features[1]!];
    await writeFile(file, JSON.stringify({ ...reference, features }));
    await expect(readDriftReference(dir, ['a', 'b'])).rejects.toThrow('features[0].proportions');
  });
});
