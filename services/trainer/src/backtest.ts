import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  BALANCE_FIELDS,
  MODEL_FILES,
  OnnxScorer,
  decide,
  loadModelDirectory,
  modelInputFields,
  readModelRegistry,
  type LoadedModel,
  type SplitMetrics,
} from '@fraud/model';
import type { Decision } from '@fraud/contracts';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT } from './feature-set.ts';
import { openInput } from './input.ts';
import { evaluate } from './metrics.ts';
import { replay, type ReplayBatch } from './replay.ts';

export const BACKTEST_HEADER = 'row,transaction_id,label,score,decision';

export interface BacktestOptions {
  /** A model directory (with manifest.json) or a models directory (its registry's champion). */
  modelPath: string;
  dataPath: string;
  outPath: string;
  skipInvalidRows?: boolean;
  /**
   * Rows with an earlier event time are replayed and scored (they warm the feature state, as
   * live traffic would) but left out of the metrics: train on the past, judge on the future.
   * @default 0 (every row counts)
   */
  evaluateFromMs?: number;
  onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void;
}

export interface BacktestResult {
  model: LoadedModel;
  rows: number;
  skipped: number;
  labeledRows: number;
  /** Labeled rows at or after evaluateFromMs: the rows the metrics are computed on. */
  evaluatedRows: number;
  /** True when the model reads no balances, so the rows were fed without them. */
  withoutBalances: boolean;
  decisions: Record<Decision, number>;
  /** Undefined when the data has no labeled rows of both classes. */
  metrics: SplitMetrics | undefined;
}

/** Accepts a model directory or a models directory (then the registry's champion). */
export async function resolveModelDirectory(modelPath: string): Promise<string> {
  try {
    await stat(path.join(modelPath, MODEL_FILES.manifest));
    return modelPath;
  } catch {
    const registry = await readModelRegistry(modelPath);
    const entry = registry.versions.find((v) => v.version === registry.champion)!;
    return path.join(modelPath, entry.path);
  }
}

/** Growable float32/int8 columns for the labeled rows' scores. */
class LabeledScores {
  scores = new Float32Array(1 << 16);
  labels = new Int8Array(1 << 16);
  length = 0;
  push(score: number, label: 0 | 1): void {
    if (this.length === this.labels.length) {
      const s = new Float32Array(this.length * 2);
      s.set(this.scores);
      const l = new Int8Array(this.length * 2);
      l.set(this.labels);
      this.scores = s;
      this.labels = l;
    }
    this.scores[this.length] = score;
    this.labels[this.length] = label;
    this.length += 1;
  }
}

/**
 * Scores a PaySim CSV (or JSON lines) exactly as the scorer would: the same replay through the
 * feature library in event-time order, the same ONNX session and decide(). Writes one line per
 * scored input row, `row,transaction_id,label,score,decision`, through a temp file renamed at the end.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const dir = await resolveModelDirectory(options.modelPath);
  const model = await loadModelDirectory(dir, {
    expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
    expectedFeatureNames: FEATURE_NAMES,
  });
  // Feed the model only what its stream would carry: a model that does not read balances is
  // judged on rows without them (the scorer refuses the opposite case).
  const readsBalances = modelInputFields(model.manifest).some((f) =>
    (BALANCE_FIELDS as readonly string[]).includes(f),
  );
  const input = await openInput(options.dataPath, {
    skipInvalidRows: options.skipInvalidRows ?? false,
    withoutBalances: !readsBalances,
  });
  const scorer = await OnnxScorer.fromModel(model);
  const tmp = `${options.outPath}.tmp-${process.pid}`;
  const { thresholds } = model.manifest;
  let out: WriteStream | undefined;
  let labeled = new LabeledScores();
  let decisions: Record<Decision, number> = { ALLOW: 0, REVIEW: 0, BLOCK: 0 };
  let rows = 0;
  let labeledRows = 0;
  const evaluateFromMs = options.evaluateFromMs ?? 0;
  const openOut = (): WriteStream => {
    const stream = createWriteStream(tmp, { flags: 'w' });
    stream.write(`${BACKTEST_HEADER}\n`);
    return stream;
  };
  const consume = async (batch: ReplayBatch): Promise<void> => {
    const scores = await scorer.scoreBatch(batch.features);
    let text = '';
    for (let i = 0; i < scores.length; i += 1) {
      const score = scores[i]!;
      const label = batch.labels[i]!;
      const decision = decide(score, thresholds);
      decisions[decision] += 1;
      if (label !== -1) {
        labeledRows += 1;
        if (batch.txs[i]!.eventTime >= evaluateFromMs) labeled.push(score, label === 1 ? 1 : 0);
      }
      // CSV-safe: PaySim ids and the importer's `ps-<row>` ids carry no commas or quotes.
      text += `${batch.rows[i]},${batch.txs[i]!.transactionId},${label === -1 ? '' : label},${score.toPrecision(9)},${decision}\n`;
    }
    rows += scores.length;
    out ??= openOut();
    if (!out.write(text)) await once(out, 'drain');
    options.onProgress?.(0, input.sizeBytes, rows);
  };
  try {
    const stats = await replay(input, consume, {
      onBytes: (bytes) => options.onProgress?.(bytes, input.sizeBytes, rows),
      onRestartSorted: () => {
        // Unsorted input: start the output over, in event-time order.
        out?.destroy();
        out = undefined;
        labeled = new LabeledScores();
        decisions = { ALLOW: 0, REVIEW: 0, BLOCK: 0 };
        rows = 0;
        labeledRows = 0;
      },
    });
    out ??= openOut();
    out.end();
    await once(out, 'finish');
    await rename(tmp, options.outPath);
    const s = labeled.scores.subarray(0, labeled.length);
    const l = labeled.labels.subarray(0, labeled.length);
    const positives = l.reduce((n, v) => n + v, 0);
    const metrics = positives > 0 && positives < l.length ? evaluate(s, l, thresholds) : undefined;
    return {
      model,
      rows,
      skipped: stats.skipped,
      labeledRows,
      evaluatedRows: labeled.length,
      withoutBalances: !readsBalances,
      decisions,
      metrics,
    };
  } catch (error) {
    out?.destroy();
    await rm(tmp, { force: true });
    throw error;
  } finally {
    await scorer.close();
  }
}
