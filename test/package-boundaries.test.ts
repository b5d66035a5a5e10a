import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkRootCode,
  checkWorkspace,
  importSpecifiers,
  listWorkspaces,
  packageNameOf,
} from './boundaries/check-boundaries.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');

// Hoisting makes every installed package importable from everywhere, so nothing else notices a
// workspace that uses a package it does not declare. This scans each workspace's sources.
describe('package boundaries', () => {
  it.each(listWorkspaces(repoRoot).map((dir) => [path.relative(repoRoot, dir), dir]))(
    '%s declares every package it imports and stays inside its directory',
    (_name, dir) => {
      const messages = checkWorkspace(dir, repoRoot).map((v) => v.message);
      expect(messages, messages.join('\n')).toEqual([]);
    },
  );

  it('code outside the workspaces uses them only through their entry points', () => {
    const outside = ['scripts', 'infra', 'test', 'terraform'].map((dir) => path.join(repoRoot, dir));
    const messages = checkRootCode(outside, listWorkspaces(repoRoot), repoRoot).map((v) => v.message);
    expect(messages, messages.join('\n')).toEqual([]);
  });
});

describe('boundary checker', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'boundaries-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads static, re-export and dynamic import specifiers, ignoring comments', () => {
    const source = [
      "import a from 'pkg-a';",
      "import type { B } from '@scope/b/deep';",
      "export { c } from './c.ts';",
      "export * from 'pkg-d';",
      "const e = await import('pkg-e');",
      "// import f from 'pkg-f';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['./c.ts', '@scope/b/deep', 'pkg-a', 'pkg-d', 'pkg-e']);
    expect(packageNameOf('@scope/b/deep')).toBe('@scope/b');
    expect(packageNameOf('pkg/sub/path')).toBe('pkg');
  });

  it('names the file and package for an undeclared import, an escaping relative import and a deep src import', () => {
    const ws = path.join(tmp, 'libs', 'demo');
    mkdirSync(path.join(ws, 'src'), { recursive: true });
    writeFileSync(
      path.join(ws, 'package.json'),
      JSON.stringify({
        name: '@fraud/demo',
        dependencies: { zod: '^4.0.0' },
        devDependencies: { vitest: '^4.0.0' },
      }),
    );
    writeFileSync(
      path.join(ws, 'src', 'index.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import path from 'path';",
        "import { z } from 'zod';",
        "import { self } from '@fraud/demo';",
        "import { local } from './local.ts';",
        "import Redis from 'ioredis';",
        "import { x } from '../../other/src/x.ts';",
        "import { y } from '@fraud/model/src/y.ts';",
        "const k = await import('kafkajs');",
      ].join('\n'),
    );
    writeFileSync(path.join(ws, 'src', 'index.test.ts'), "import { it } from 'vitest';\n");

    const messages = checkWorkspace(ws, tmp).map((v) => v.message);
    expect(messages).toEqual([
      "libs/demo/src/index.ts: imports 'ioredis' (via 'ioredis') which libs/demo/package.json does not declare in dependencies or devDependencies",
      "libs/demo/src/index.ts: relative import '../../other/src/x.ts' leaves libs/demo/; import the other package by its name through an exported entry point",
      'libs/demo/src/index.ts: deep import \'@fraud/model/src/y.ts\' into @fraud/model/src; use an entry point from its package.json "exports"',
      "libs/demo/src/index.ts: imports '@fraud/model' (via '@fraud/model/src/y.ts') which libs/demo/package.json does not declare in dependencies or devDependencies",
      "libs/demo/src/index.ts: imports 'kafkajs' (via 'kafkajs') which libs/demo/package.json does not declare in dependencies or devDependencies",
    ]);
  });

  it('flags root code that reaches into a workspace by a relative path', () => {
    const ws = path.join(tmp, 'services', 'svc');
    const scripts = path.join(tmp, 'scripts');
    mkdirSync(path.join(ws, 'src'), { recursive: true });
    mkdirSync(scripts, { recursive: true });
    writeFileSync(
      path.join(scripts, 'run.ts'),
      "import { h } from '../services/svc/src/testing/harness.ts';\nimport { ok } from '@fraud/svc/testing';\n",
    );
    const messages = checkRootCode([scripts], [ws], tmp).map((v) => v.message);
    expect(messages).toEqual([
      "scripts/run.ts: relative import '../services/svc/src/testing/harness.ts' reaches into services/svc/; import that package by its name through an exported entry point",
    ]);
  });
});

// The same rule at lint time (editor feedback): the repository config enables it, and it fires on
// a relative import from libs/config into libs/features (a virtual file; the target is real).
describe('ESLint import-x/no-relative-packages', () => {
  it('is enabled by eslint.config.js', async () => {
    const config = (await new ESLint({ cwd: repoRoot }).calculateConfigForFile(
      'libs/config/src/index.ts',
    )) as {
      rules?: Record<string, unknown>;
    };
    expect(config.rules?.['import-x/no-relative-packages']).toEqual([2]);
  });

  it('reports a relative import into another package', async () => {
    const eslint = new ESLint({
      cwd: repoRoot,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { 'import-x': importX as unknown as ESLint.Plugin },
          rules: { 'import-x/no-relative-packages': 'error' },
        },
      ],
    });
    const [result] = await eslint.lintText("export { x } from '../../features/src/index.ts';\n", {
      filePath: path.join(repoRoot, 'libs/config/src/boundary-fixture.ts'),
    });
    expect(result?.messages.map((m) => `${m.ruleId}: ${m.message}`)).toEqual([
      'import-x/no-relative-packages: Relative import from another package is not allowed. No safe package import could be determined for "../../features/src/index.ts".',
    ]);
  });
});
