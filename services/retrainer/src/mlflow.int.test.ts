/**
 * A retrain against a REAL MLflow tracking server (PyPI `mlflow`, its own venv built by
 * scripts/ensure-mlflow-venv.sh on first use): SQLite backend, local artifact directory, 127.0.0.1.
 * Checks that the run has the parameters, metrics, lineage tags and model artifacts, and that a
 * registered model version exists with the alias `challenger`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { writeFeatureDataset, type DatasetRow } from '@fraud/datasets';
import {
  FEATURE_NAMES,
  FEATURE_SET_FINGERPRINT,
  FEATURE_SET_VERSION,
  MemoryFeatureStore,
} from '@fraud/features';
import { readModelRegistry, writeModelRegistry } from '@fraud/model';
import { readTransactionsJsonl } from '@fraud/paysim';
import { freePort } from '@fraud/test-support';
import { REPO_ROOT, retrain } from './retrain.ts';

const execFileAsync = promisify(execFile);
let server: ChildProcess | undefined;
let baseUrl = '';
let dir = '';

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null)
      throw new Error(`mlflow server exited (${server?.exitCode}); see ${dir}/server.log`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`mlflow server did not answer /health within ${timeoutMs} ms`);
}

async function api<T>(pathAndQuery: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/api/2.0/mlflow/${pathAndQuery}`, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${pathAndQuery}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A labelled dataset from the simulator (run as its CLI) through the real feature code. */
async function simulatedDataset(outDir: string): Promise<string> {
  const jsonl = path.join(dir, 'sim.jsonl');
  await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      'services/simulator/src/cli.ts',
      '--transactions',
      '15000',
      '--seed',
      '5',
      '--fraud-rate',
      '0.02',
      '--out',
      jsonl,
    ],
    { cwd: REPO_ROOT },
  );
  const txs: Transaction[] = [];
  const labels: boolean[] = [];
  for await (const row of readTransactionsJsonl(createReadStream(jsonl))) {
    txs.push(row.tx);
    labels.push(row.isFraud === true);
  }
  const matrix = new MemoryFeatureStore().applyBatchSync(txs);
  const cols = matrix.cols;
  const rows: DatasetRow[] = txs.map((tx, i) => ({
    transactionId: tx.transactionId,
    eventTimeMs: tx.eventTime,
    modelVersion: 'seed',
    label: labels[i] ? 1 : 0,
    labelSource: 'simulator',
    features: matrix.data.subarray(i * cols, (i + 1) * cols),
  }));
  const written = await writeFeatureDataset(outDir, rows, [], {
    time_range: {
      from: new Date(txs[0]!.eventTime).toISOString(),
      to: new Date(txs.at(-1)!.eventTime + 1).toISOString(),
    },
    labels_as_of: new Date().toISOString(),
    maturity_ms: 0,
    feature_set: {
      fingerprint: FEATURE_SET_FINGERPRINT,
      version: String(FEATURE_SET_VERSION),
      feature_names: [...FEATURE_NAMES],
    },
    labels: { events: rows.length, after_as_of: 0, corrected: 0, unknown_transactions: 0 },
    excluded: { immature_unlabelled: 0, without_features: 0, other_feature_set: 0, duplicate_decisions: 0 },
    source: { decisions_topic: 'simulated', labels_topic: 'simulated', decisions_read: rows.length },
  });
  return written.dir;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mlflow-test-'));
  // Installs the pinned server into its own cached venv on a fresh machine (~1 min, once).
  const { stdout } = await execFileAsync(path.join(REPO_ROOT, 'scripts/ensure-mlflow-venv.sh'), [], {
    maxBuffer: 1 << 20,
  });
  const mlflow = stdout.trim().split('\n').pop()!;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const log = await import('node:fs').then((fs) => fs.createWriteStream(path.join(dir, 'server.log')));
  server = spawn(
    mlflow,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${path.join(dir, 'mlflow.db')}`,
      '--default-artifact-root',
      path.join(dir, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    // Its own process group: the server forks workers, all stopped together by our PID.
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    },
  );
  server.stdout!.pipe(log);
  server.stderr!.pipe(log);
  await waitForHealth(baseUrl, 90_000);
}, 900_000); // the first run on a machine installs the MLflow server venv (1-8 min)

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    process.kill(-server.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-server!.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('retrain with a real MLflow tracking server', () => {
  it('logs params, metrics, lineage and artifacts, and registers a model version with the alias challenger', async () => {
    const modelsDir = path.join(dir, 'models');
    await mkdir(modelsDir);
    // The committed champion is the parent the challenger is backtested against.
    const committed = await readModelRegistry(path.join(REPO_ROOT, 'models'));
    const champion = committed.versions.find((v) => v.version === committed.champion)!;
    await cp(path.join(REPO_ROOT, 'models', champion.path), path.join(modelsDir, champion.path), {
      recursive: true,
    });
    await writeModelRegistry(modelsDir, {
      schema_version: 1,
      champion: champion.version,
      versions: [champion],
      updated: new Date().toISOString(),
    });
    const datasetDir = await simulatedDataset(path.join(dir, 'datasets'));

    const result = await retrain({
      modelsDir,
      datasetDir,
      trainArgs: ['--rounds', '30', '--max-depth', '3'],
      trainerOutput: 'ignore',
      trainerEnv: { ...process.env, MLFLOW_TRACKING_URI: baseUrl },
    });
    expect((await readModelRegistry(modelsDir)).challenger).toBe(result.challengerVersion);

    const { experiment } = await api<{ experiment: { experiment_id: string } }>(
      'experiments/get-by-name?experiment_name=fraud-scorer',
    );
    const { runs } = await api<{
      runs: {
        info: { run_id: string };
        data: {
          params: { key: string; value: string }[];
          metrics: { key: string; value: number }[];
          tags: { key: string; value: string }[];
        };
      }[];
    }>('runs/search', { experiment_ids: [experiment.experiment_id] });
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    expect(params.max_depth).toBe('3');
    expect(metrics.test_pr_auc).toBeGreaterThan(0);
    expect(metrics.parity_max_abs_diff).toBeLessThanOrEqual(1e-5);
    expect(tags.model_version).toBe(result.challengerVersion);
    expect(tags['lineage.dataset_id']).toBe(result.dataset.id);
    expect(tags['lineage.parent_model']).toBe(champion.version);

    const { files } = await api<{ files: { path: string }[] }>(
      `artifacts/list?run_id=${run.info.run_id}&path=model`,
    );
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'model/manifest.json',
        'model/model.onnx',
        'model/model.json',
        'model/report.md',
      ]),
    );

    const { model_version } = await api<{
      model_version: { version: string; run_id: string; aliases?: string[] };
    }>('registered-models/alias?name=fraud-xgboost&alias=challenger');
    expect(model_version.run_id).toBe(run.info.run_id);
    expect(model_version.version).toBe('1');
    await writeFile(path.join(dir, 'ok'), 'done');
  });
});
