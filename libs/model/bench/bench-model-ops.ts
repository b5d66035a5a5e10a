/**
 * CPU cost of model operations on the committed default model, written as JSON:
 *   - champion-only scoring vs champion + shadow challenger (a second ONNX session on the same
 *     matrix), microseconds of CPU per transaction at a given batch size;
 *   - TreeSHAP reason codes, microseconds per explained (flagged) row, in one run: the recursion
 *     (Algorithm 2 per row, the implementation before the path tables; still the fallback for
 *     trees too deep to tabulate), the precomputed path tables one row at a time, and the tables
 *     over a chunk's flagged rows in one explainRows call (the batch entry point; the scorer still explains row by row).
 *
 *   npx tsx libs/model/bench/bench-model-ops.ts [--batch 512] [--seconds 5] [--json .local/bench-model-ops.json]
 *
 * CPU time is process.cpuUsage() (user + system, every thread of the process: onnxruntime runs
 * on its own threads), divided by transactions. Rows walk both sides of the model's real splits
 * with ~12% missing values; TreeSHAP's cost depends on the trees, hardly on the values.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  OnnxScorer,
  TreeShapExplainer,
  loadModelDirectory,
  readModelRegistry,
  type ScoringMatrix,
} from '@fraud/model';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '512' },
    seconds: { type: 'string', default: '5' },
    json: { type: 'string', default: path.join(repoRoot, '.local/bench-model-ops.json') },
    models: { type: 'string', default: path.join(repoRoot, 'models') },
  },
});
const batch = Number(values.batch);
const seconds = Number(values.seconds);
if (!(Number.isInteger(batch) && batch > 0))
  throw new Error(`--batch must be a positive integer, got ${values.batch}`);
if (!(seconds > 0)) throw new Error(`--seconds must be > 0, got ${values.seconds}`);

const registry = await readModelRegistry(values.models);
const entry = registry.versions.find((v) => v.version === registry.champion)!;
const directory = path.join(values.models, entry.path);
const manifest = JSON.parse(await readFile(path.join(directory, 'manifest.json'), 'utf8')) as {
  feature_set_fingerprint: string;
};
const loaded = await loadModelDirectory(directory, {
  expectedFeatureFingerprint: manifest.feature_set_fingerprint,
});
const tablesLoad0 = performance.now();
const explainer = await TreeShapExplainer.load(loaded.xgboostJsonPath);
const tablesLoadMs = performance.now() - tablesLoad0;
const recursiveLoad0 = performance.now();
const recursive = await TreeShapExplainer.load(loaded.xgboostJsonPath, { maxTableDepth: 0 });
const recursiveLoadMs = performance.now() - recursiveLoad0;
const cols = loaded.manifest.feature_names.length;
const modelJsonText = await readFile(loaded.xgboostJsonPath, 'utf8');

/** Rows that exercise both sides of the model's splits (see the parity test); deterministic. */
function sampleMatrix(rows: number): ScoringMatrix {
  const thresholds: number[][] = Array.from({ length: cols }, () => []);
  const json = JSON.parse(modelJsonText) as {
    learner: {
      gradient_booster: {
        model: { trees: { split_indices: number[]; split_conditions: number[]; left_children: number[] }[] };
      };
    };
  };
  for (const tree of json.learner.gradient_booster.model.trees) {
    tree.left_children.forEach((left, node) => {
      if (left !== -1) thresholds[tree.split_indices[node]!]!.push(tree.split_conditions[node]!);
    });
  }
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    const options = thresholds[i % cols]!;
    const u = random();
    data[i] =
      u < 0.12 || options.length === 0
        ? Number.NaN
        : options[Math.floor(random() * options.length)]! + (random() - 0.5) * 0.2;
  }
  return { data, rows, cols };
}
interface Measure {
  iterations: number;
  transactions: number;
  cpuUsPerTx: number;
  wallUsPerTx: number;
}

async function measure(perIteration: number, body: () => Promise<void> | void): Promise<Measure> {
  for (let i = 0; i < 20; i++) await body(); // warm-up
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let iterations = 0;
  while (performance.now() - wall0 < seconds * 1000) {
    await body();
    iterations++;
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const transactions = iterations * perIteration;
  return {
    iterations,
    transactions,
    cpuUsPerTx: (cpu.user + cpu.system) / transactions,
    wallUsPerTx: (wallMs * 1000) / transactions,
  };
}

const matrix = sampleMatrix(batch);
const champion = await OnnxScorer.fromModel(loaded);
const challenger = await OnnxScorer.fromModel(loaded);
const championOnly = await measure(batch, async () => {
  await champion.scoreBatch(matrix);
});
const withShadow = await measure(batch, async () => {
  await champion.scoreBatch(matrix);
  await challenger.scoreBatch(matrix);
});
const explainRows = sampleMatrix(2_000);
function perRow(subject: TreeShapExplainer): () => void {
  let next = 0;
  return () => {
    for (let i = 0; i < 100; i++) {
      const row = next++ % explainRows.rows;
      subject.topContributions(explainRows.data.subarray(row * cols, (row + 1) * cols), 3);
    }
  };
}
const recursiveShap = await measure(100, perRow(recursive));
const tablesShap = await measure(100, perRow(explainer));
// A storm chunk: about a third of a batch flagged, explained in one call.
const flaggedPerChunk = Math.max(1, Math.round(batch * 0.3));
const flagged = Int32Array.from({ length: flaggedPerChunk }, (_, i) => (i * 7) % explainRows.rows);
const tablesBatchShap = await measure(flaggedPerChunk, () => {
  explainer.explainRows(explainRows, flagged, 3);
});
await champion.close();
await challenger.close();

const result = {
  benchmark: 'model-ops',
  when: new Date().toISOString(),
  model: loaded.manifest.version,
  trees: explainer.treeCount,
  features: cols,
  batchSize: batch,
  secondsPerCase: seconds,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  scoring: {
    championOnly,
    championPlusChallenger: withShadow,
    shadowCpuUsPerTx: withShadow.cpuUsPerTx - championOnly.cpuUsPerTx,
  },
  treeShap: {
    topK: 3,
    tabulatedTrees: explainer.tabulatedTreeCount,
    loadMs: { recursive: recursiveLoadMs, tables: tablesLoadMs },
    recursive: { ...recursiveShap, cpuUsPerExplainedRow: recursiveShap.cpuUsPerTx },
    tables: { ...tablesShap, cpuUsPerExplainedRow: tablesShap.cpuUsPerTx },
    tablesBatch: {
      ...tablesBatchShap,
      cpuUsPerExplainedRow: tablesBatchShap.cpuUsPerTx,
      rowsPerCall: flaggedPerChunk,
    },
    /** recursive / tables-batch CPU per explained row, measured in this run. */
    speedup: recursiveShap.cpuUsPerTx / tablesBatchShap.cpuUsPerTx,
  },
};
await mkdir(path.dirname(values.json), { recursive: true });
await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
