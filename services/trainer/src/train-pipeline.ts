import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isFeatureDatasetDir } from '@fraud/datasets';
import {
  ALWAYS_PRESENT_FIELDS,
  BALANCE_FIELDS,
  MANIFEST_SCHEMA_VERSION,
  MODEL_FILES,
  DRIFT_REFERENCE_FILE,
  buildDriftReference,
  OnnxScorer,
  VERSION_PATTERN,
  addRegistryVersion,
  tryReadModelRegistry,
  validateManifest,
  writeModelRegistry,
  type BalanceUse,
  type FeatureImportance,
  type InputField,
  type ModelManifest,
  type ScoringMatrix,
  type SplitInfo,
  type SplitMetrics,
} from '@fraud/model';
import type { Thresholds } from '@fraud/contracts';
import { loadTrainerEnv, type TrainerEnv } from './config.ts';
import { runBacktest } from './backtest.ts';
import { DatasetBuilder, sliceMatrix, type Dataset } from './dataset.ts';
import { ParityError, TrainerError, TrainingDataError } from './errors.ts';
import {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  FEATURE_SET_VERSION,
  optionalInputsOf,
} from './feature-set.ts';
import { completeLineage, loadFeatureDatasetInput } from './feature-dataset-input.ts';
import { hasBalances, openInput } from './input.ts';
import { evaluate, prCurve } from './metrics.ts';
import {
  DEFAULT_TRAINING_PARAMS,
  checkTrainingParams,
  xgboostParams,
  type TrainingParams,
} from './params.ts';
import { resolvePython, runPythonStep } from './python-step.ts';
import { replay } from './replay.ts';
import { TRAIN_INFO_FILE, readTrainInfo, type TrainInfo } from './train-info.ts';
export type { Candidate } from './train-info.ts';
import { renderReport } from './report.ts';
import {
  DEFAULT_SPLIT,
  SPLIT_NAMES,
  describeSplit,
  requireBothClasses,
  timeSplit,
  type SplitFractions,
  type TimeSplit,
} from './split.ts';
import {
  DEFAULT_COST_MODEL,
  checkCostModel,
  chooseCostThresholds,
  expectedCost,
  type CostChoice,
  type CostModel,
} from './cost-thresholds.ts';
import { DEFAULT_THRESHOLD_POLICY, chooseThresholds, type ThresholdPolicy } from './thresholds.ts';

export const ONNX_INPUT_NAME = 'features';
export const ONNX_OUTPUT_NAME = 'probability';
export const ONNX_OPSET = 15;
/** The bar: ONNX must reproduce XGBoost's own predictions to 1e-5 on every test row. */
export const PARITY_TOLERANCE = 1e-5;

export type TrainPhase = 'replay' | 'train' | 'verify' | 'write';

export interface TrainProgress {
  phase: TrainPhase;
  /** replay: bytes read of `total`; other phases: 0/1. */
  done: number;
  total: number;
  rows?: number;
}

export interface TrainOptions {
  /**
   * PaySim CSV or JSON lines of Transaction events (with isFraud), replayed through the feature
   * code; or a feature-dataset directory (`npm run dataset`), trained on as logged.
   */
  dataPath: string;
  /** Models directory: the model lands in `<outDir>/<version>/`, registry.json is updated. */
  outDir: string;
  /** @default `<UTC yyyymmdd-hhmmss>-<first 8 hex of sha256(model.onnx)>` */
  version?: string;
  params?: Partial<TrainingParams>;
  split?: SplitFractions;
  thresholdPolicy?: ThresholdPolicy;
  /**
   * Choose REVIEW and BLOCK to minimise this cost model's expected cost on validation instead of
   * the precision/recall targets. The report shows the cost curve either way (default model).
   */
  costModel?: CostModel;
  /**
   * Train for a stream that provides only these optional fields: the others are blanked on replay
   * (their features missing everywhere), so input_fields never lists them. @default all
   */
  streamFields?: readonly string[];
  /**
   * Features the model must not use: blanked (NaN, "missing") in the training matrix, so no tree
   * splits on them; the scorer still computes them, the model ignores them. E.g. the per-account
   * cash-out link for data (like PaySim) where the cash-out comes from another account.
   */
  dropFeatures?: readonly string[];
  /** Optuna hyperparameter search (time-split validation), bounded by trials and time. */
  search?: SearchOptions;
  /** Also fit LightGBM (exported to ONNX, same parity gate) as a candidate. @default false */
  lightgbm?: boolean;
  /**
   * Labeled data sets the finished model is also backtested on (e.g. real PaySim rows for a model
   * trained on the simulator); the results go into the manifest and the report (model card).
   */
  evaluateOn?: readonly string[];
  /** The cost model the report's cost curve uses when costModel is not given. @default DEFAULT_COST_MODEL */
  reportCostModel?: CostModel;
  /** Skip and count unusable rows instead of failing. @default false */
  skipInvalidRows?: boolean;
  /**
   * Train a model that never reads balances: they are blanked on replay, and the manifest's
   * input_fields leave them out, so the model runs on a stream without them. Automatic when the
   * data has no balances at all. @default false
   */
  withoutBalances?: boolean;
  onProgress?: (p: TrainProgress) => void;
  env?: TrainerEnv;
  /** Injected clock for `created` and the default version. */
  now?: () => Date;
}

export interface TrainResult {
  version: string;
  modelDir: string;
  manifest: ModelManifest;
  timingsMs: Record<TrainPhase, number>;
}

export interface SearchOptions {
  /** Optuna trials per algorithm; 0 = no search. */
  trials: number;
  /** Wall-time bound per search, seconds. */
  timeoutSeconds: number;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A Buffer's bytes as float32 (copied: a Buffer may sit at any offset of a pooled ArrayBuffer). */
function readFloat32(buf: Buffer): Float32Array {
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function bytesOf(a: Float32Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Scores rows [start, end) in chunks: one session.run per chunk keeps tensors bounded. */
export async function scoreRows(
  scorer: OnnxScorer,
  m: ScoringMatrix,
  start: number,
  end: number,
): Promise<Float32Array> {
  const out = new Float32Array(end - start);
  const chunk = 65_536;
  for (let s = start; s < end; s += chunk) {
    const e = Math.min(end, s + chunk);
    out.set(await scorer.scoreBatch(sliceMatrix(m, s, e)), s - start);
  }
  return out;
}

function defaultVersion(now: Date, onnxSha: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${onnxSha.slice(0, 8)}`;
}

async function replayDataset(options: TrainOptions, onProgress: (p: TrainProgress) => void) {
  const input = await openInput(options.dataPath, {
    skipInvalidRows: options.skipInvalidRows ?? false,
    withoutBalances: options.withoutBalances ?? false,
    ...(options.streamFields ? { streamFields: options.streamFields } : {}),
  });
  const cols = FEATURE_NAMES.length;
  // PaySim lines average ~74 bytes: preallocating from the file size avoids regrowing a GB matrix.
  const builder = new DatasetBuilder(cols, input.sizeBytes / 70);
  const fileHash = sha256File(input.path);
  fileHash.catch(() => undefined); // awaited below; a read error surfaces there
  let rowsWithBalances = 0;
  const stats = await replay(
    input,
    (batch) => {
      for (const tx of batch.txs) if (hasBalances(tx)) rowsWithBalances += 1;
      builder.append(batch);
    },
    {
      onBytes: (bytes) =>
        onProgress({ phase: 'replay', done: bytes, total: input.sizeBytes, rows: builder.length }),
      onRestartSorted: () => {
        builder.reset();
        rowsWithBalances = 0;
      },
    },
  );
  const dataset = builder.finish();
  if (dataset.labels.length === 0) {
    throw new TrainingDataError(
      `${input.path}: no data rows (${stats.skipped} skipped): nothing to train on`,
    );
  }
  const unlabeled = dataset.labels.indexOf(-1);
  if (unlabeled >= 0) {
    throw new TrainingDataError(
      `${input.path}: data row ${dataset.sourceRows[unlabeled]} has no isFraud label; training needs labels on every row`,
    );
  }
  const balancesWithheld =
    options.withoutBalances ||
    (options.streamFields !== undefined &&
      !BALANCE_FIELDS.some((f) => (options.streamFields as readonly string[]).includes(f)));
  const balances: BalanceUse = balancesWithheld ? 'withheld' : rowsWithBalances === 0 ? 'absent' : 'used';
  return { input, dataset, stats, balances, sha256: await fileHash };
}

/**
 * The Transaction fields the trained model reads: the always-present ones plus the optional fields
 * of every feature some tree splits on. A model trained without balances must not need them.
 */
export function inputFieldsOf(importance: readonly FeatureImportance[], balances: BalanceUse): InputField[] {
  const used = importance.filter((f) => f.weight > 0).map((f) => f.feature);
  const fields = [...ALWAYS_PRESENT_FIELDS, ...optionalInputsOf(used)] as InputField[];
  if (balances !== 'used') {
    const leaked = fields.filter((f) => (BALANCE_FIELDS as readonly string[]).includes(f));
    if (leaked.length > 0) {
      throw new TrainerError(
        `the model trained without balances splits on features reading ${leaked.join(', ')}`,
      );
    }
  }
  return fields;
}

function blankFeatures(dataset: Dataset, names: readonly string[]): void {
  const { data, rows, cols } = dataset.features;
  for (const name of names) {
    const c = FEATURE_NAMES.indexOf(name);
    if (c < 0) throw new TrainerError(`--drop-features: unknown feature "${name}"`);
    for (let r = 0; r < rows; r += 1) data[r * cols + c] = Number.NaN;
  }
}

function importanceOf(info: TrainInfo): FeatureImportance[] {
  return FEATURE_NAMES.map((feature) => ({
    feature,
    gain: info.importance.gain[feature] ?? 0,
    total_gain: info.importance.total_gain[feature] ?? 0,
    weight: info.importance.weight[feature] ?? 0,
    cover: info.importance.cover[feature] ?? 0,
  }));
}

/** The training data after replay (or load), with its time split: the input of every later stage. */
interface PreparedData {
  input: { path: string; format: ModelManifest['training_data']['format'] };
  dataset: Dataset;
  skippedRows: number;
  balances: BalanceUse;
  sha256: string;
  lineage: ModelManifest['lineage'];
  split: TimeSplit;
  splits: Record<(typeof SPLIT_NAMES)[number], SplitInfo>;
}

/** Stage 1: replay the transactions (or load a logged-feature dataset), blank dropped features, split by time. */
async function prepareData(
  options: TrainOptions,
  env: TrainerEnv,
  onProgress: (p: TrainProgress) => void,
): Promise<PreparedData> {
  const fromLogged = (await isFeatureDatasetDir(options.dataPath))
    ? await loadFeatureDatasetInput(options.dataPath)
    : undefined;
  // Logged vectors hold whatever the stream provided: the trees' own splits decide input_fields.
  const { input, dataset, stats, balances, sha256 } = fromLogged
    ? { ...fromLogged, balances: 'used' as const }
    : await replayDataset(options, onProgress);
  const lineage = fromLogged
    ? await completeLineage(fromLogged.lineage, options.outDir, env.passThrough)
    : undefined;
  blankFeatures(dataset, options.dropFeatures ?? []);
  const split = timeSplit(dataset.eventTimes, options.split ?? DEFAULT_SPLIT);
  const splits = {
    train: describeSplit(split.train, dataset.labels, dataset.eventTimes),
    validation: describeSplit(split.validation, dataset.labels, dataset.eventTimes),
    test: describeSplit(split.test, dataset.labels, dataset.eventTimes),
  };
  for (const name of SPLIT_NAMES) requireBothClasses(name, splits[name]);
  return { input, dataset, skippedRows: stats.skipped, balances, sha256, lineage, split, splits };
}

/**
 * Stage 2: hand the matrix to the Python step (XGBoost, optional Optuna/LightGBM, ONNX export)
 * and read back its checked train-info.json. Writes model.onnx, model.json and the XGBoost test
 * predictions into `workDir`.
 */
async function fitInPython(
  python: string,
  env: TrainerEnv,
  workDir: string,
  data: PreparedData,
  params: TrainingParams,
  options: TrainOptions,
): Promise<{ info: TrainInfo; matrixSha256: string }> {
  const { dataset, split, splits } = data;
  const featuresPath = path.join(workDir, 'features.f32');
  const labelsPath = path.join(workDir, 'labels.u8');
  await writeFile(featuresPath, bytesOf(dataset.features.data));
  await writeFile(labelsPath, bytesOf(dataset.labels));
  const matrixSha256 = createHash('sha256')
    .update(bytesOf(dataset.features.data))
    .update(bytesOf(dataset.labels))
    .digest('hex');
  const trainConfig = {
    rows: dataset.features.rows,
    cols: dataset.features.cols,
    featuresPath,
    labelsPath,
    featureNames: FEATURE_NAMES,
    ranges: { train: split.train, valid: split.validation, test: split.test },
    params: xgboostParams(params, splits.train.positives, splits.train.rows),
    numBoostRound: params.numBoostRound,
    earlyStoppingRounds: params.earlyStoppingRounds,
    workDir,
    onnxInputName: ONNX_INPUT_NAME,
    onnxOutputName: ONNX_OUTPUT_NAME,
    opset: ONNX_OPSET,
    search: options.search ?? null,
    lightgbm: options.lightgbm ?? false,
  };
  const trainConfigPath = path.join(workDir, 'train-config.json');
  await writeFile(trainConfigPath, JSON.stringify(trainConfig));
  await runPythonStep(python, 'train', trainConfigPath, env.passThrough);
  return { info: await readTrainInfo(path.join(workDir, TRAIN_INFO_FILE)), matrixSha256 };
}

/** What the verify stage established about the exported ONNX model. */
interface Verified {
  onnxPath: string;
  onnxBytes: Buffer;
  validScores: Float32Array;
  testScores: Float32Array;
  testLabels: Int8Array;
  parity: { maxAbsDiff: number };
  costModel: CostModel;
  costChoice: CostChoice;
  chosen: { thresholds: Thresholds; notes: string[] };
  costAtChosen: number;
  metrics: { validation: SplitMetrics; test: SplitMetrics };
}

/**
 * Stage 3: score validation and test with onnxruntime-node (the scorer's runtime), require parity
 * with XGBoost's own predictions, choose the thresholds on validation and evaluate on test.
 */
async function verifyModel(
  workDir: string,
  data: PreparedData,
  policy: ThresholdPolicy,
  options: TrainOptions,
): Promise<Verified> {
  const { dataset, split } = data;
  const onnxPath = path.join(workDir, MODEL_FILES.onnx);
  const onnxBytes = await readFile(onnxPath);
  const scorer = await OnnxScorer.create(new Uint8Array(onnxBytes), {
    inputName: ONNX_INPUT_NAME,
    outputName: ONNX_OUTPUT_NAME,
    featureCount: FEATURE_NAMES.length,
  });
  let validScores: Float32Array;
  let testScores: Float32Array;
  try {
    validScores = await scoreRows(scorer, dataset.features, ...split.validation);
    testScores = await scoreRows(scorer, dataset.features, ...split.test);
  } finally {
    await scorer.close();
  }
  const xgbTest = readFloat32(await readFile(path.join(workDir, 'xgb-test-pred.f32')));
  const parity = checkParity(testScores, xgbTest);
  const validLabels = dataset.labels.subarray(...split.validation);
  const testLabels = dataset.labels.subarray(...split.test);
  const validAmounts = dataset.amountsMinor.subarray(...split.validation);
  const costModel = checkCostModel(options.costModel ?? options.reportCostModel ?? DEFAULT_COST_MODEL);
  const targetChoice = chooseThresholds(prCurve(validScores, validLabels), policy);
  const costChoice = chooseCostThresholds(validScores, validLabels, validAmounts, costModel);
  const chosen = options.costModel
    ? {
        thresholds: costChoice.thresholds,
        notes: [`thresholds minimise the declared cost model on validation (targets not used)`],
      }
    : targetChoice;
  const costAtChosen = expectedCost(validScores, validLabels, validAmounts, costModel, chosen.thresholds);
  const metrics = {
    validation: evaluate(validScores, validLabels, chosen.thresholds),
    test: evaluate(testScores, testLabels, chosen.thresholds),
  };
  return {
    onnxPath,
    onnxBytes,
    validScores,
    testScores,
    testLabels,
    parity,
    costModel,
    costChoice,
    chosen,
    costAtChosen,
    metrics,
  };
}

/** Stage 4a: the model card, checked against the manifest schema before anything is written. */
async function buildManifest(
  run: { version: string; now: Date; modelDir: string; params: TrainingParams; policy: ThresholdPolicy },
  options: TrainOptions,
  data: PreparedData,
  fitted: { info: TrainInfo; matrixSha256: string },
  verified: Verified,
): Promise<ModelManifest> {
  const { info } = fitted;
  const { chosen, costModel } = verified;
  const { splits } = data;
  return validateManifest(
    {
      schema_version: MANIFEST_SCHEMA_VERSION,
      version: run.version,
      created: run.now.toISOString(),
      model_type: 'xgboost-binary-logistic',
      files: { onnx: MODEL_FILES.onnx, xgboost_json: MODEL_FILES.xgboostJson, report: MODEL_FILES.report },
      feature_names: [...FEATURE_NAMES],
      input_fields: inputFieldsOf(importanceOf(info), data.balances),
      feature_set_version: String(FEATURE_SET_VERSION),
      feature_set_fingerprint: FEATURE_SET_FINGERPRINT,
      onnx: {
        input_name: ONNX_INPUT_NAME,
        output_name: ONNX_OUTPUT_NAME,
        opset: ONNX_OPSET,
        graph:
          'TreeEnsembleRegressor(margin) -> Sigmoid; input float32 [N, features], NaN = missing; output float32 [N, 1]',
      },
      thresholds: chosen.thresholds,
      threshold_policy: {
        split: 'validation',
        block_precision_target: run.policy.blockPrecisionTarget,
        review_recall_target: run.policy.reviewRecallTarget,
        notes: chosen.notes,
        cost_model: {
          chosen_by: options.costModel ? 'cost' : 'targets',
          review_cost_minor: costModel.reviewCostMinor,
          wrong_block_cost_minor: costModel.wrongBlockCostMinor,
          validation_cost_minor: verified.costAtChosen,
          validation_allow_all_cost_minor: verified.costChoice.allowAllCostMinor,
        },
      },
      metrics: verified.metrics,
      parity: {
        max_abs_diff: verified.parity.maxAbsDiff,
        tolerance: PARITY_TOLERANCE,
        rows: verified.testScores.length,
        runtime: 'onnxruntime-node vs xgboost Booster.predict',
      },
      training_data: {
        source: path.basename(data.input.path),
        format: data.input.format,
        sha256: data.sha256,
        matrix_sha256: fitted.matrixSha256,
        rows: data.dataset.labels.length,
        skipped_rows: data.skippedRows,
        balances: data.balances,
        positives: splits.train.positives + splits.validation.positives + splits.test.positives,
        splits,
      },
      candidates: info.candidates.map((c) => ({
        name: c.name,
        algorithm: c.algorithm,
        validation_pr_auc: c.validationPrAuc,
        num_trees: c.numTrees,
        selected: c.selected,
        ...(c.onnxParityMaxAbsDiff !== undefined ? { onnx_parity_max_abs_diff: c.onnxParityMaxAbsDiff } : {}),
        params: c.params,
      })),
      training: {
        params: info.params,
        ...(options.dropFeatures && options.dropFeatures.length > 0
          ? { dropped_features: [...options.dropFeatures] }
          : {}),
        num_boost_round: run.params.numBoostRound,
        early_stopping_rounds: run.params.earlyStoppingRounds,
        best_iteration: info.bestIteration,
        num_trees: info.numTrees,
        best_validation_pr_auc: info.bestValidationScore,
      },
      feature_importance: importanceOf(info),
      libraries: {
        ...info.versions,
        'onnxruntime-node': await onnxruntimeNodeVersion(),
        node: process.versions.node,
      },
      ...(data.lineage ? { lineage: data.lineage } : {}),
      // `satisfies`: a field the schema does not know fails to compile here (zod would strip it).
    } satisfies ModelManifest,
    `${run.modelDir}/${MODEL_FILES.manifest}`,
  );
}

/**
 * Stage 4b: assemble the model directory in `staging` (model files, manifest, report, drift
 * reference, report images, optional external backtests), then rename it into place and register
 * the version.
 */
async function writeModelDirectory(
  run: { python: string; env: TrainerEnv; workDir: string; staging: string; modelDir: string; now: Date },
  options: TrainOptions,
  data: PreparedData,
  verified: Verified,
  manifest: ModelManifest,
): Promise<void> {
  const { staging, workDir } = run;
  await mkdir(staging);
  await copyFile(verified.onnxPath, path.join(staging, MODEL_FILES.onnx));
  await copyFile(path.join(workDir, MODEL_FILES.xgboostJson), path.join(staging, MODEL_FILES.xgboostJson));
  await writeFile(path.join(staging, MODEL_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(path.join(staging, MODEL_FILES.report), renderReport(manifest));
  // The scorer's drift monitor compares live traffic with what the model was fitted on:
  // feature bins from the training rows, score bins from the validation scores (training-row
  // scores are overfit and would make every live distribution look shifted).
  const driftReference = buildDriftReference(
    data.dataset.features,
    FEATURE_NAMES,
    data.split.train,
    verified.validScores,
  );
  await writeFile(path.join(staging, DRIFT_REFERENCE_FILE), `${JSON.stringify(driftReference)}\n`);
  await writeReportImages(
    run.python,
    run.env,
    workDir,
    staging,
    verified.testScores,
    verified.testLabels,
    manifest,
    {
      ...verified.costModel,
      allowAllCostMinor: verified.costChoice.allowAllCostMinor,
      points: verified.costChoice.curve,
    },
  );
  if (options.evaluateOn && options.evaluateOn.length > 0) {
    manifest.external_evaluations = await evaluateExternally(staging, workDir, options.evaluateOn);
    validateManifest(manifest, `${run.modelDir}/${MODEL_FILES.manifest}`);
    await writeFile(path.join(staging, MODEL_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(path.join(staging, MODEL_FILES.report), renderReport(manifest));
  }
  await rename(staging, run.modelDir);
  const registry = await tryReadModelRegistry(options.outDir);
  await writeModelRegistry(
    options.outDir,
    addRegistryVersion(
      registry,
      { version: manifest.version, path: manifest.version, created: manifest.created },
      run.now,
    ),
  );
}

/** Backtests the staged model on each `--evaluate-on` file (the model card's external evaluations). */
async function evaluateExternally(
  modelPath: string,
  workDir: string,
  dataPaths: readonly string[],
): Promise<NonNullable<ModelManifest['external_evaluations']>> {
  const evaluations: NonNullable<ModelManifest['external_evaluations']> = [];
  for (const dataPath of dataPaths) {
    const r = await runBacktest({ modelPath, dataPath, outPath: path.join(workDir, 'external-scores.csv') });
    if (!r.metrics)
      throw new TrainingDataError(`${dataPath}: --evaluate-on data needs labels of both classes`);
    evaluations.push({
      source: path.basename(dataPath),
      rows: r.evaluatedRows,
      positives: r.metrics.positives,
      pr_auc: r.metrics.pr_auc,
      roc_auc: r.metrics.roc_auc,
      balances: r.withoutBalances ? 'withheld' : 'used',
    });
  }
  return evaluations;
}

/** Wall time per phase: `lap(phase)` records the time since the previous lap. */
function phaseTimer(): { timings: Record<TrainPhase, number>; lap: (phase: TrainPhase) => void } {
  const timings: Record<TrainPhase, number> = { replay: 0, train: 0, verify: 0, write: 0 };
  let t = performance.now();
  return {
    timings,
    lap: (phase) => {
      const n = performance.now();
      timings[phase] = Math.round(n - t);
      t = n;
    },
  };
}

/**
 * The whole pipeline: replay -> time split -> XGBoost (Python) -> ONNX -> parity check with
 * onnxruntime-node -> thresholds on validation -> evaluation on test -> model directory.
 * The directory is assembled in a staging directory beside its final place and renamed at the
 * end, so a failed run leaves nothing half-written.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const env = options.env ?? loadTrainerEnv();
  const now = (options.now ?? (() => new Date()))();
  const params = checkTrainingParams({ ...DEFAULT_TRAINING_PARAMS, ...options.params });
  const policy = options.thresholdPolicy ?? DEFAULT_THRESHOLD_POLICY;
  const onProgress = options.onProgress ?? (() => undefined);
  if (options.version !== undefined && !VERSION_PATTERN.test(options.version)) {
    throw new TrainerError(`--version "${options.version}" must match ${String(VERSION_PATTERN)}`);
  }
  const { timings, lap } = phaseTimer();

  const python = await resolvePython(env.python);
  const data = await prepareData(options, env, onProgress);
  lap('replay');

  await mkdir(options.outDir, { recursive: true });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'fraud-train-'));
  const staging = path.join(options.outDir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    onProgress({ phase: 'train', done: 0, total: 1, rows: data.dataset.labels.length });
    const fitted = await fitInPython(python, env, workDir, data, params, options);
    lap('train');

    onProgress({ phase: 'verify', done: 0, total: 1 });
    const verified = await verifyModel(workDir, data, policy, options);
    lap('verify');

    onProgress({ phase: 'write', done: 0, total: 1 });
    const onnxSha = createHash('sha256').update(verified.onnxBytes).digest('hex');
    const version = options.version ?? defaultVersion(now, onnxSha);
    const modelDir = path.join(options.outDir, version);
    if (await exists(modelDir))
      throw new TrainerError(`${modelDir} already exists; choose another --version`);
    const manifest = await buildManifest(
      { version, now, modelDir, params, policy },
      options,
      data,
      fitted,
      verified,
    );
    await writeModelDirectory(
      { python, env, workDir, staging, modelDir, now },
      options,
      data,
      verified,
      manifest,
    );
    lap('write');
    return { version, modelDir, manifest, timingsMs: timings };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

export function checkParity(
  onnxScores: Float32Array,
  xgbScores: Float32Array,
  tolerance = PARITY_TOLERANCE,
): { maxAbsDiff: number; worstRow: number } {
  if (onnxScores.length !== xgbScores.length) {
    throw new TrainerError(
      `parity: ${onnxScores.length} ONNX scores vs ${xgbScores.length} XGBoost predictions`,
    );
  }
  let maxAbsDiff = 0;
  let worstRow = -1;
  for (let i = 0; i < onnxScores.length; i += 1) {
    const d = Math.abs(onnxScores[i]! - xgbScores[i]!);
    // NaN on either side is a failure, not a zero difference.
    if (!(d <= maxAbsDiff)) {
      maxAbsDiff = Number.isNaN(d) ? Infinity : d;
      worstRow = i;
    }
  }
  if (maxAbsDiff > tolerance) throw new ParityError(maxAbsDiff, tolerance, worstRow);
  return { maxAbsDiff, worstRow };
}

async function writeReportImages(
  python: string,
  env: TrainerEnv,
  workDir: string,
  modelDir: string,
  scores: Float32Array,
  labels: Int8Array,
  manifest: ModelManifest,
  costCurve: unknown,
): Promise<void> {
  const scoresPath = path.join(workDir, 'test-scores.f32');
  const labelsPath = path.join(workDir, 'test-labels.u8');
  await writeFile(scoresPath, bytesOf(scores));
  await writeFile(labelsPath, bytesOf(labels));
  const test = manifest.metrics.test;
  const config = {
    outDir: modelDir,
    scoresPath,
    labelsPath,
    thresholds: manifest.thresholds,
    metrics: { prAuc: test.pr_auc, atThreshold: { review: test.review, block: test.block } },
    version: manifest.version,
    costCurve,
    featureFingerprint: manifest.feature_set_fingerprint,
    lineage: manifest.lineage ?? null,
    params: manifest.training.params,
    flatMetrics: {
      test_pr_auc: test.pr_auc,
      test_roc_auc: test.roc_auc,
      test_alert_rate: test.alert_rate,
      test_block_precision: test.block.precision,
      test_block_recall: test.block.recall,
      test_review_precision: test.review.precision,
      test_review_recall: test.review.recall,
      validation_pr_auc: manifest.metrics.validation.pr_auc,
      parity_max_abs_diff: manifest.parity.max_abs_diff,
      threshold_review: manifest.thresholds.review,
      threshold_block: manifest.thresholds.block,
    },
  };
  const configPath = path.join(workDir, 'report-config.json');
  await writeFile(configPath, JSON.stringify(config));
  await runPythonStep(python, 'report', configPath, env.passThrough);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function onnxruntimeNodeVersion(): Promise<string> {
  const ort = await import('onnxruntime-node');
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
}

export type { Dataset };
