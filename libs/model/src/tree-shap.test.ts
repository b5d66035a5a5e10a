import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XgboostModelFormatError } from './errors.ts';
import { TreeShapExplainer, type TreeShapOptions } from './tree-shap.ts';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const modelsDir = path.join(repoRoot, 'models');

async function defaultModelJson(): Promise<string> {
  const registry = JSON.parse(await readFile(path.join(modelsDir, 'registry.json'), 'utf8')) as {
    champion: string;
    versions: { version: string; path: string }[];
  };
  const entry = registry.versions.find((v) => v.version === registry.champion)!;
  return path.join(modelsDir, entry.path, 'model.json');
}

async function python(): Promise<string> {
  if (process.env.FRAUD_PYTHON) return process.env.FRAUD_PYTHON;
  const { stdout } = await execFileAsync(path.join(repoRoot, 'scripts/ensure-venv.sh'));
  return stdout.trim().split('\n').pop()!;
}

// XGBoost's own TreeSHAP and margin for the rows in a raw float32 file.
const XGBOOST_CONTRIBS = `
import json, sys
import numpy as np
import xgboost as xgb
model, rows_file, cols, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
x = np.fromfile(rows_file, dtype=np.float32).reshape(-1, cols)
booster = xgb.Booster()
booster.load_model(model)
dm = xgb.DMatrix(x, missing=np.nan, feature_names=booster.feature_names)
contribs = booster.predict(dm, pred_contribs=True)
margin = booster.predict(dm, output_margin=True)
json.dump({"contribs": contribs.astype(float).tolist(), "margin": margin.astype(float).tolist()}, open(out, "w"))
`;
import { seededRandom } from '@fraud/test-support';

const prng = seededRandom;

let scratchDir: string;
let reference: Promise<{ rows: Float32Array; xgb: { contribs: number[][]; margin: number[] } }> | undefined;

/** XGBoost's own pred_contribs and margins for the rows (via the project venv). */
async function xgboostContribs(
  modelJson: string,
  rows: Float32Array,
  cols: number,
): Promise<{ contribs: number[][]; margin: number[] }> {
  const dir = await mkdtemp(path.join(scratchDir, 'run-'));
  const rowsFile = path.join(dir, 'rows.f32');
  const outFile = path.join(dir, 'xgb.json');
  const script = path.join(dir, 'contribs.py');
  await writeFile(rowsFile, Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
  await writeFile(script, XGBOOST_CONTRIBS);
  await execFileAsync(await python(), [script, modelJson, rowsFile, String(cols), outFile]);
  return JSON.parse(await readFile(outFile, 'utf8')) as { contribs: number[][]; margin: number[] };
}

/**
 * Rows that walk both sides of the model's real splits: each value is one of the thresholds the
 * trees use on that feature (exactly equal goes right), nudged below or above it, or missing.
 */
async function sampleRows(modelJson: string, count: number, cols: number): Promise<Float32Array> {
  const json = JSON.parse(await readFile(modelJson, 'utf8')) as {
    learner: {
      gradient_booster: {
        model: { trees: { split_indices: number[]; split_conditions: number[]; left_children: number[] }[] };
      };
    };
  };
  const thresholds: number[][] = Array.from({ length: cols }, () => []);
  for (const tree of json.learner.gradient_booster.model.trees) {
    tree.left_children.forEach((left, node) => {
      if (left !== -1) thresholds[tree.split_indices[node]!]!.push(tree.split_conditions[node]!);
    });
  }
  const random = prng(20261124);
  const rows = new Float32Array(count * cols);
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < cols; c++) {
      const options = thresholds[c]!;
      const u = random();
      let value: number;
      if (u < 0.12 || options.length === 0) value = u < 0.12 ? Number.NaN : random() * 10;
      else {
        const t = options[Math.floor(random() * options.length)]!;
        const v = random();
        value = v < 0.1 ? t : t + (v < 0.55 ? -1 : 1) * (Math.abs(t) * 0.01 + random() * 0.5);
      }
      rows[r * cols + c] = value;
    }
  }
  return rows;
}

describe('TreeShapExplainer', () => {
  beforeAll(async () => {
    scratchDir = await mkdtemp(path.join(tmpdir(), 'tree-shap-'));
  });
  afterAll(async () => {
    await rm(scratchDir, { recursive: true, force: true });
  });

  // Tables only (the default, and with small blocks), recursion only (the reference), and a
  // mix: depth-3 tables leave
  // every deeper tree of the committed model (most of them) to the recursion.
  it.each<[string, TreeShapOptions]>([
    ['precomputed path tables', {}],
    ['path tables with one-level blocks', { blockHeight: 1 }],
    ['the recursion', { maxTableDepth: 0 }],
    ['tables for shallow trees, recursion for the rest', { maxTableDepth: 3 }],
  ])(
    "matches xgboost's pred_contribs within 1e-4 and sums to the margin on 200 rows with NaNs: %s",
    async (_name, options) => {
      const modelJson = await defaultModelJson();
      const explainer = await TreeShapExplainer.load(modelJson, options);
      if (options.maxTableDepth === undefined) {
        expect(explainer.tabulatedTreeCount).toBe(explainer.treeCount);
        expect(explainer.tableSize).toBeGreaterThan(0);
      } else expect(explainer.tabulatedTreeCount).toBeLessThan(explainer.treeCount);
      const cols = explainer.featureCount;
      const count = 200;
      // The same rows for every case: XGBoost runs once (a Python start costs seconds here).
      reference ??= sampleRows(modelJson, count, cols).then(async (rows) => ({
        rows,
        xgb: await xgboostContribs(modelJson, rows, cols),
      }));
      const { rows, xgb } = await reference;
      expect(rows.some(Number.isNaN)).toBe(true);
      expect(xgb.contribs).toHaveLength(count);

      let maxDiff = 0;
      let maxSumDiff = 0;
      let maxMarginDiff = 0;
      for (let r = 0; r < count; r++) {
        const row = rows.subarray(r * cols, (r + 1) * cols);
        const phi = explainer.contributions(row);
        const expected = xgb.contribs[r]!;
        expect(phi).toHaveLength(cols + 1); // features, then the bias
        for (let c = 0; c <= cols; c++) maxDiff = Math.max(maxDiff, Math.abs(phi[c]! - expected[c]!));
        const sum = phi.reduce((a, b) => a + b, 0);
        maxSumDiff = Math.max(maxSumDiff, Math.abs(sum - xgb.margin[r]!));
        maxMarginDiff = Math.max(maxMarginDiff, Math.abs(explainer.margin(row) - xgb.margin[r]!));
      }
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
      expect(maxSumDiff).toBeLessThanOrEqual(1e-4);
      expect(maxMarginDiff).toBeLessThanOrEqual(1e-4);
    },
  );

  it('explains a batch of rows exactly as one row at a time, reusing its buffers', async () => {
    const modelJson = await defaultModelJson();
    const explainer = await TreeShapExplainer.load(modelJson);
    const cols = explainer.featureCount;
    const data = await sampleRows(modelJson, 50, cols);
    const flagged = [3, 0, 49, 17, 17];
    const batch = explainer.explainRows({ data, cols }, flagged, 4);
    expect(batch.count).toBe(5);
    expect(batch.k).toBe(4);
    flagged.forEach((row, i) => {
      const single = explainer.topContributions(data.subarray(row * cols, (row + 1) * cols), 4);
      expect([...batch.feature.subarray(i * 4, i * 4 + 4)]).toEqual(single.map((c) => c.index));
      expect([...batch.contribution.subarray(i * 4, i * 4 + 4)]).toEqual(single.map((c) => c.contribution));
    });
    const again = explainer.explainRows({ data, cols }, [1], 4);
    expect(again.feature).toBe(batch.feature);
    expect(() => explainer.explainRows({ data, cols }, [50], 3)).toThrow(/row 50 is outside/);
    expect(() => explainer.explainRows({ data, cols: cols - 1 }, [0], 3)).toThrow(/columns/);
  });

  it('ranks the top-k features by contribution toward fraud', async () => {
    const explainer = await TreeShapExplainer.load(await defaultModelJson());
    const row = new Float32Array(explainer.featureCount).fill(Number.NaN);
    row[0] = 9.5;
    const phi = explainer.contributions(row);
    const top = explainer.topContributions(row, 3);
    expect(top).toHaveLength(3);
    const sorted = [...phi.subarray(0, explainer.featureCount)].sort((a, b) => b - a);
    expect(top.map((t) => t.contribution)).toEqual(sorted.slice(0, 3));
    for (const t of top)
      expect(Number.isNaN(t.value) ? Number.isNaN(row[t.index]) : t.value === row[t.index]).toBe(true);
  });

  it('refuses a model it cannot explain, naming the file', () => {
    expect(() => TreeShapExplainer.fromXgboostJson({ learner: {} }, 'x/model.json')).toThrow(
      XgboostModelFormatError,
    );
    expect(() =>
      TreeShapExplainer.fromXgboostJson(
        { learner: { objective: { name: 'reg:squarederror' } } },
        'x/model.json',
      ),
    ).toThrow(/not binary:logistic/);
  });

  it('reads every committed model directory', async () => {
    const entries = await readdir(modelsDir, { withFileTypes: true });
    for (const entry of entries.filter((e) => e.isDirectory())) {
      const explainer = await TreeShapExplainer.load(path.join(modelsDir, entry.name, 'model.json'));
      expect(explainer.treeCount).toBeGreaterThan(0);
    }
  });
});
