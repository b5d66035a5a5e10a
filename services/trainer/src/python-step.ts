import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PythonStepError, TrainerError } from './errors.ts';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const TRAIN_SCRIPT = path.resolve(here, '../python/train_xgb.py');

/** The training virtualenv's python: FRAUD_PYTHON, or whatever scripts/ensure-venv.sh prints. */
export async function resolvePython(configured: string | undefined): Promise<string> {
  if (configured) return configured;
  try {
    const { stdout } = await execFileAsync(path.join(REPO_ROOT, 'scripts/ensure-venv.sh'), [], {
      maxBuffer: 1 << 20,
    });
    const python = stdout.trim().split('\n').pop();
    if (!python) throw new Error('printed nothing');
    return python;
  } catch (error) {
    throw new TrainerError(
      `cannot set up the Python training environment (scripts/ensure-venv.sh): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Runs `train_xgb.py <step> <config>`; resolves with its stdout, rejects with PythonStepError
 * carrying the tail of stderr (Python tracebacks end with the line that matters).
 */
export function runPythonStep(
  python: string,
  step: 'train' | 'report',
  configPath: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [TRAIN_SCRIPT, step, configPath], {
      env: { ...env, PYTHONHASHSEED: '0', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
    });
    child.once('error', (error) =>
      reject(new TrainerError(`cannot run ${python}: ${error.message}`, { cause: error })),
    );
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new PythonStepError(step, code, stderr.trim().split('\n').slice(-15).join('\n')));
    });
  });
}
