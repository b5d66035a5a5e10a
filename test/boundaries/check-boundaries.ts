import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** One import that breaks a package boundary, with a message naming the file and the package. */
export interface BoundaryViolation {
  file: string;
  specifier: string;
  message: string;
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const skippedDirs = new Set(['node_modules', 'dist', '.local', 'coverage']);

function listTsFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skippedDirs.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listTsFiles(full));
    else if (/\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

/**
 * Every module specifier a file uses: static imports, `export ... from`, `import x = require()`
 * and dynamic `import('x')` with a literal argument. TypeScript's own pre-processor does the
 * parsing, so comments and strings that merely look like imports are not counted.
 */
export function importSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((ref) => ref.fileName);
}

/** `@scope/name/deep` -> `@scope/name`, `name/deep` -> `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const builtinNames = new Set(builtinModules);
const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinNames.has(packageNameOf(specifier));

/**
 * Checks one workspace (a directory with a package.json): every bare import names a package the
 * manifest declares (or the workspace itself), no relative import leaves the directory, and no
 * import reaches into another package's `src/`.
 */
export function checkWorkspace(workspaceDir: string, repoRoot: string): BoundaryViolation[] {
  const manifest = JSON.parse(readFileSync(path.join(workspaceDir, 'package.json'), 'utf8')) as Manifest;
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const ownName = manifest.name;
  const violations: BoundaryViolation[] = [];
  for (const file of listTsFiles(workspaceDir)) {
    const rel = path.relative(repoRoot, file);
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const report = (message: string) =>
        violations.push({ file: rel, specifier, message: `${rel}: ${message}` });
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = path.resolve(path.dirname(file), specifier);
        const inside = path.relative(workspaceDir, target);
        if (inside.startsWith('..') || path.isAbsolute(inside)) {
          report(
            `relative import '${specifier}' leaves ${path.relative(repoRoot, workspaceDir)}/; ` +
              `import the other package by its name through an exported entry point`,
          );
        }
        continue;
      }
      if (isBuiltin(specifier)) continue;
      const pkg = packageNameOf(specifier);
      if (pkg !== ownName && /^@fraud\/[^/]+\/src(\/|$)/.test(specifier)) {
        report(
          `deep import '${specifier}' into ${pkg}/src; use an entry point from its package.json "exports"`,
        );
      }
      if (pkg !== ownName && !declared.has(pkg)) {
        report(
          `imports '${pkg}' (via '${specifier}') which ${path.relative(repoRoot, workspaceDir)}/package.json ` +
            `does not declare in dependencies or devDependencies`,
        );
      }
    }
  }
  return violations;
}

/** Workspace directories from the root package.json `workspaces` globs (`dir/*` or `dir`). */
export function listWorkspaces(repoRoot: string): string[] {
  const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    workspaces?: string[];
  };
  const dirs: string[] = [];
  for (const pattern of root.workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = path.join(repoRoot, pattern.slice(0, -2));
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        const dir = path.join(parent, entry.name);
        if (entry.isDirectory() && readdirSync(dir).includes('package.json')) dirs.push(dir);
      }
    } else {
      dirs.push(path.join(repoRoot, pattern));
    }
  }
  return dirs.sort();
}

/**
 * Code outside the workspaces (scripts/, infra/, test/, ...) belongs to the root package: it may
 * use any workspace, but only by package name through an exported entry point, never by a relative
 * path into a workspace directory or a deep `@fraud/x/src/...` import.
 */
export function checkRootCode(
  dirs: string[],
  workspaceDirs: string[],
  repoRoot: string,
): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const dir of dirs) {
    for (const file of listTsFiles(dir)) {
      const rel = path.relative(repoRoot, file);
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        const report = (message: string) =>
          violations.push({ file: rel, specifier, message: `${rel}: ${message}` });
        if (specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier);
          const into = workspaceDirs.find((ws) => !path.relative(ws, target).startsWith('..'));
          if (into !== undefined) {
            report(
              `relative import '${specifier}' reaches into ${path.relative(repoRoot, into)}/; ` +
                `import that package by its name through an exported entry point`,
            );
          }
        } else if (/^@fraud\/[^/]+\/src(\/|$)/.test(specifier)) {
          report(
            `deep import '${specifier}' into ${packageNameOf(specifier)}/src; use an entry point from its package.json "exports"`,
          );
        }
      }
    }
  }
  return violations;
}
