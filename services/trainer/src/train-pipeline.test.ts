import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FeatureFingerprintMismatchError,
  readDriftReference,
  readManifest,
  readModelRegistry,
} from '@fraud/model';
import { PAYSIM_HEADER } from '@fraud/paysim';
import { runBacktest } from './backtest.ts';
import { ParityError } from './errors.ts';
import { FEATURE_SET_FINGERPRINT } from './feature-set.ts';
import { writePaysimFixture } from './testing/paysim-fixture.ts';
import { checkParity, trainModel, type TrainResult } from './train-pipeline.ts';

// Small and fast: the pipeline's behaviour, not the model's quality, is under test here.
const ROWS = 40_000;
const PARAMS = { numBoostRound: 60, earlyStoppingRounds: 20, maxDepth: 4 };

describe('train pipeline (Python step included)', () => {
  let dir: string;
  let data: string;
  let modelsDir: string;
  let first: TrainResult;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trainer-test-'));
    data = path.join(dir, 'data.csv');
    modelsDir = path.join(dir, 'models');
    await writePaysimFixture(data, { rows: ROWS, seed: 11 });
    first = await trainModel({ dataPath: data, outDir: modelsDir, version: 'first', params: PARAMS });
  }, 240_000);

  it('writes a complete, valid model directory whose ONNX matches XGBoost within 1e-5', async () => {
    expect((await readdir(first.modelDir)).sort()).toEqual(
      [
        'cost-curve.png',
        'drift-reference.json',
        'manifest.json',
        'model.json',
        'model.onnx',
        'pr-curve.png',
        'report.md',
        'score-histogram.png',
      ].sort(),
    );
    const manifest = await readManifest(first.modelDir);
    const drift = await readDriftReference(first.modelDir, manifest.feature_names);
    expect(drift?.features.map((f) => f.name)).toEqual(manifest.feature_names);
    expect(drift?.score.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(manifest.parity.rows).toBe(manifest.training_data.splits.test.rows);
    expect(manifest.feature_set_fingerprint).toBe(FEATURE_SET_FINGERPRINT);
    expect(manifest.training_data.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.metrics.test.pr_auc).toBeGreaterThan(0.5);
    expect(manifest.thresholds.review).toBeLessThanOrEqual(manifest.thresholds.block);
    const xgbModel = JSON.parse(await readFile(path.join(first.modelDir, 'model.json'), 'utf8')) as {
      learner: { feature_names: string[] };
    };
    expect(xgbModel.learner.feature_names).toEqual(manifest.feature_names);
    expect(await readFile(path.join(first.modelDir, 'report.md'), 'utf8')).toContain('pr-curve.png');
    expect((await readModelRegistry(modelsDir)).champion).toBe('first');
    expect((await readdir(modelsDir)).filter((f) => f.startsWith('.'))).toEqual([]); // no staging left
  });

  it('splits in time: every validation row is later than every train row, every test row later still', () => {
    const s = first.manifest.training_data.splits;
    expect(s.train.rows + s.validation.rows + s.test.rows).toBe(ROWS);
    expect(s.train.last_event_time).toBeLessThan(s.validation.first_event_time);
    expect(s.validation.last_event_time).toBeLessThan(s.test.first_event_time);
  });

  it('is deterministic: same data and seed give the same model bytes', async () => {
    const again = await trainModel({ dataPath: data, outDir: modelsDir, version: 'again', params: PARAMS });
    for (const file of ['model.onnx', 'model.json']) {
      expect(
        (await readFile(path.join(again.modelDir, file))).equals(
          await readFile(path.join(first.modelDir, file)),
        ),
      ).toBe(true);
    }
    expect(again.manifest.training_data.matrix_sha256).toBe(first.manifest.training_data.matrix_sha256);
    expect(again.manifest.thresholds).toEqual(first.manifest.thresholds);
    expect((await readModelRegistry(modelsDir)).champion).toBe('first'); // training never promotes
  }, 240_000);

  it('backtests through the same replay + ONNX path: one line per input row', async () => {
    const out = path.join(dir, 'scores.csv');
    const r = await runBacktest({ modelPath: first.modelDir, dataPath: data, outPath: out });
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('row,transaction_id,label,score,decision');
    expect(lines.length).toBe(ROWS + 1);
    expect(lines[1]).toMatch(/^0,ps-0,[01],[0-9.e-]+,(ALLOW|REVIEW|BLOCK)$/);
    expect(r.metrics!.positives).toBe(first.manifest.training_data.positives);
    // The test split's rows score the same in the backtest as in training's evaluation.
    const testStart = ROWS - first.manifest.training_data.splits.test.rows;
    const flagged = lines.slice(1 + testStart).filter((l) => !l.endsWith('ALLOW')).length;
    const t = first.manifest.metrics.test.review.confusion;
    expect(flagged).toBe(t.tp + t.fp);
  });

  it('refuses a model directory trained on another feature set, naming both fingerprints', async () => {
    const other = path.join(dir, 'other-model');
    await cp(first.modelDir, other, { recursive: true });
    const file = path.join(other, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { feature_set_fingerprint: string };
    manifest.feature_set_fingerprint = '0'.repeat(64);
    await writeFile(file, JSON.stringify(manifest));
    const run = runBacktest({ modelPath: other, dataPath: data, outPath: path.join(dir, 'x.csv') });
    await expect(run).rejects.toThrow(FeatureFingerprintMismatchError);
    await expect(run).rejects.toThrow(new RegExp(`${'0'.repeat(64)}.*${FEATURE_SET_FINGERPRINT}`));
  });

  const lines = (body: string[]) => [PAYSIM_HEADER, ...body].join('\n');
  const good = '1,PAYMENT,10.00,C1,100.00,90.00,M1,0.00,0.00,0,0';
  it.each([
    ['an empty file', '', /empty/],
    ['a header without data', `${PAYSIM_HEADER}\n`, /no data rows/],
    [
      'a missing column',
      `${PAYSIM_HEADER.replace(',amount', '')}\n1,PAYMENT,C1,1,1,M1,0,0,0,0\n`,
      /missing column "amount"/,
    ],
    [
      'a corrupt row',
      `${lines([good, '1,PAYMENT,ten,C1,100.00,90.00,M1,0.00,0.00,0,0'])}\n`,
      /line 3.*amount/,
    ],
    ['too few rows to split', `${lines([good, good.replace('C1', 'C2')])}\n`, /split/],
  ])('fails on %s with a clear error and leaves no model directory', async (_name, body, message) => {
    const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.csv`);
    await writeFile(file, body);
    const out = path.join(dir, `bad-out-${Math.random().toString(36).slice(2)}`);
    await mkdir(out);
    await expect(trainModel({ dataPath: file, outDir: out, params: PARAMS })).rejects.toThrow(message);
    expect(await readdir(out)).toEqual([]);
  });

  it('fails the run when ONNX and XGBoost disagree beyond 1e-5', () => {
    expect(() => checkParity(Float32Array.from([0.5, 0.2]), Float32Array.from([0.5, 0.2]))).not.toThrow();
    expect(() => checkParity(Float32Array.from([0.5, 0.2]), Float32Array.from([0.5, 0.2001]))).toThrow(
      ParityError,
    );
    expect(() => checkParity(Float32Array.from([Number.NaN]), Float32Array.from([0.5]))).toThrow(ParityError);
  });
});
