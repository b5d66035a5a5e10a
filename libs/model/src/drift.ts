/**
 * Population Stability Index monitoring: the trainer stores, per model feature and for the score,
 * the distribution it saw (quantile bin edges and the share of rows per bin, plus the missing
 * ratio); the scorer keeps a rolling window of live bin indices and reports PSI against it.
 *
 * PSI = sum over bins of (live - ref) * ln(live / ref). Rules of thumb: < 0.1 stable, 0.1-0.2
 * moderate shift, > 0.2 significant shift.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ManifestValidationError } from './errors.ts';
import { parseModelJsonFile } from './schema-file.ts';

export const DRIFT_REFERENCE_FILE = 'drift-reference.json';

const distributionShape = {
  /** Ascending cut points: bin 0 is `x < edges[0]`, bin k is `edges[k-1] <= x < edges[k]`, the last bin `x >= edges[last]`. */
  edges: z
    .array(z.number())
    .refine((e) => e.every((x, i) => i === 0 || x > e[i - 1]!), 'must be ascending finite numbers'),
  /** Share of non-missing rows per bin (edges.length + 1 values summing to 1). */
  proportions: z.array(z.number().min(0).max(1)),
  /** Share of rows where the value was missing (NaN). */
  missing_ratio: z.number().min(0).max(1),
};
const oneMoreProportionThanEdges = (d: { edges: number[]; proportions: number[] }) =>
  d.proportions.length === d.edges.length + 1;
const proportionsProblem = { message: 'must have one more entry than edges', path: ['proportions'] };
const binnedDistributionSchema = z
  .object(distributionShape)
  .refine(oneMoreProportionThanEdges, proportionsProblem);
export type BinnedDistribution = z.infer<typeof binnedDistributionSchema>;

const driftReferenceSchema = z.object({
  schema_version: z.literal(1),
  rows: z.int().min(0),
  features: z.array(
    z
      .object({ name: z.string(), ...distributionShape })
      .refine(oneMoreProportionThanEdges, proportionsProblem),
  ),
  score: binnedDistributionSchema,
});
export type DriftReference = z.infer<typeof driftReferenceSchema>;

/** Smoothing for empty bins: ln(0) would make PSI infinite on a single unseen bin. */
const EPSILON = 1e-4;

/** Bin index of `x` under `edges` (binary search; see BinnedDistribution.edges). */
export function binOf(x: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quantile bins over the non-missing values (duplicates collapse, so constant features get one edge). */
export function binDistribution(values: ArrayLike<number>, bins: number): BinnedDistribution {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) present.push(v);
  }
  const missingRatio = values.length === 0 ? 0 : (values.length - present.length) / values.length;
  if (present.length === 0) return { edges: [], proportions: [1], missing_ratio: missingRatio };
  present.sort((a, b) => a - b);
  const edges: number[] = [];
  for (let q = 1; q < bins; q++) {
    const cut = present[Math.floor((q * present.length) / bins)]!;
    if (edges.length === 0 || cut > edges[edges.length - 1]!) edges.push(cut);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of present) counts[binOf(v, edges)]!++;
  return { edges, proportions: counts.map((c) => c / present.length), missing_ratio: missingRatio };
}

export function psi(expected: readonly number[], actual: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, EPSILON);
    const a = Math.max(actual[i] ?? 0, EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/**
 * Builds the reference from a row-major float32 matrix (rows [from, to)) and scores. At most
 * `maxRows` evenly spaced rows are used: quantiles of 200k rows are as good as of 6M.
 */
export function buildDriftReference(
  matrix: { data: Float32Array; rows: number; cols: number },
  featureNames: readonly string[],
  rowRange: readonly [number, number],
  scores: ArrayLike<number>,
  options: { bins?: number; maxRows?: number } = {},
): DriftReference {
  const bins = options.bins ?? 10;
  const maxRows = options.maxRows ?? 200_000;
  const [from, to] = rowRange;
  const step = Math.max(1, Math.floor((to - from) / maxRows));
  const picked: number[] = [];
  for (let r = from; r < to; r += step) picked.push(r);
  const column = new Float64Array(picked.length);
  const features = featureNames.map((name, c) => {
    picked.forEach((r, i) => (column[i] = matrix.data[r * matrix.cols + c]!));
    return { name, ...binDistribution(column, bins) };
  });
  return { schema_version: 1, rows: picked.length, features, score: binDistribution(scores, bins) };
}

/** Reads `<modelDir>/drift-reference.json`; undefined for models trained before it existed. */
export async function readDriftReference(
  modelDir: string,
  featureNames: readonly string[],
): Promise<DriftReference | undefined> {
  const file = path.join(modelDir, DRIFT_REFERENCE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = parseModelJsonFile(driftReferenceSchema, text, file);
  const names = parsed.features.map((f) => f.name);
  if (names.join('\u0000') !== featureNames.join('\u0000')) {
    throw new ManifestValidationError(file, 'features', 'names differ from the model input order');
  }
  return parsed;
}

/**
 * A rolling window of the most recent `windowRows` live rows, kept as bin indices (one byte per
 * feature per row), so observing a batch is a few comparisons per value and PSI is computed only
 * when asked (on a metrics scrape), off the hot path.
 */
export class DriftMonitor {
  private readonly cols: number;
  private readonly slots: number;
  /** Bin index per row and feature; slot `cols` holds the score's bin. 255 = missing. */
  private readonly window: Uint8Array;
  private readonly counts: Uint32Array[];
  private readonly missing: Uint32Array;
  private next = 0;
  private filled = 0;

  constructor(
    readonly reference: DriftReference,
    private readonly windowRows = 20_000,
  ) {
    this.cols = reference.features.length;
    this.slots = this.cols + 1;
    this.window = new Uint8Array(windowRows * this.slots);
    this.counts = [...reference.features, reference.score].map((d) => new Uint32Array(d.edges.length + 1));
    this.missing = new Uint32Array(this.slots);
  }

  /** Adds a batch: `data` row-major with the reference's feature order, one score per row. */
  observe(data: Float32Array, rows: number, scores: ArrayLike<number>): void {
    for (let r = 0; r < rows; r++) {
      const base = this.next * this.slots;
      for (let s = 0; s < this.slots; s++) {
        if (this.filled === this.windowRows) this.forget(s, this.window[base + s]!);
        const value = s < this.cols ? data[r * this.cols + s]! : scores[r]!;
        const distribution = s < this.cols ? this.reference.features[s]! : this.reference.score;
        const bin = Number.isNaN(value) ? 255 : binOf(value, distribution.edges);
        this.window[base + s] = bin;
        if (bin === 255) this.missing[s]!++;
        else this.counts[s]![bin]!++;
      }
      this.next = (this.next + 1) % this.windowRows;
      if (this.filled < this.windowRows) this.filled++;
    }
  }

  get observedRows(): number {
    return this.filled;
  }

  /** PSI per feature (by name), the score's PSI, and the live missing ratio per feature. */
  snapshot(): { features: { name: string; psi: number; missingRatio: number }[]; scorePsi: number } {
    const live = (s: number) => {
      const total = this.filled - this.missing[s]!;
      return Array.from(this.counts[s]!, (c) => (total > 0 ? c / total : 0));
    };
    return {
      features: this.reference.features.map((f, s) => ({
        name: f.name,
        psi: psi(f.proportions, live(s)),
        missingRatio: this.filled > 0 ? this.missing[s]! / this.filled : 0,
      })),
      scorePsi: psi(this.reference.score.proportions, live(this.cols)),
    };
  }

  private forget(slot: number, bin: number): void {
    if (bin === 255) this.missing[slot]!--;
    else this.counts[slot]![bin]!--;
  }
}
