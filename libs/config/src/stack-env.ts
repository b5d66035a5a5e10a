import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Connection settings of the local stack, written by `make up` to `.local/stack.env`. */
export const STACK_ENV_KEYS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL'] as const;

/** Finds the repository root (the directory holding `.local/` and the root package.json). */
export function findRepoRoot(start = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'Makefile')) && existsSync(path.join(dir, 'libs'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

/**
 * Parses a shell-sourceable KEY=VALUE file. Blank lines and `#` comments are skipped; a line that
 * is neither is an error naming the file and line.
 */
export function parseEnvFile(text: string, fileName: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`${fileName}:${index + 1}: expected KEY=VALUE, got "${line}"`);
    const [, key, value] = match as unknown as [string, string, string];
    out[key] = value.replace(/^(['"])(.*)\1$/, '$2');
  });
  return out;
}

/**
 * Returns `env` overlaid on `.local/stack.env` (variables already set win), so that services and
 * tests find the local stack without the user exporting anything.
 */
export function withStackEnv(env: NodeJS.ProcessEnv = process.env, root = findRepoRoot()): NodeJS.ProcessEnv {
  const file = path.join(root, '.local', 'stack.env');
  if (!existsSync(file)) return env;
  const fromFile = parseEnvFile(readFileSync(file, 'utf8'), file);
  return { ...fromFile, ...env };
}
