import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('per-workspace TypeScript projects', () => {
  it('match the package.json files (references = declared @fraud/* dependencies)', async () => {
    const run = promisify(execFile)(process.execPath, ['scripts/workspace-tsconfigs.mjs', '--check'], {
      cwd: root,
    });
    await expect(run).resolves.toMatchObject({ stderr: '' });
  });
});
