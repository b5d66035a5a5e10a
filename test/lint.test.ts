import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

// Style and static checks as tests, so a regression fails CI like any other: type-aware ESLint
// (floating promises, import cycles, ...) and Prettier over the whole repository.
describe('repository', () => {
  it('passes ESLint', () => {
    const result = spawnSync(bin('eslint'), ['.'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  }, 620_000);

  it('is formatted with Prettier', () => {
    const result = spawnSync(bin('prettier'), ['--check', '.'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  }, 320_000);
});
