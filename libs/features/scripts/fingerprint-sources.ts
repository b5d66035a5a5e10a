/**
 * Computes the feature-set fingerprint from the formula source code (not only names and
 * parameters), so a changed formula or Lua script cannot keep an old fingerprint: the committed
 * constant in src/fingerprint.generated.ts is recomputed by a unit test, which fails until it is
 * regenerated (`npm run features:fingerprint`, or `npm run model:default`, which also retrains the
 * committed default model against it).
 *
 * Normalised so that formatting and comments do not count: TypeScript is re-printed from its syntax
 * tree by the compiler without comments, Lua to its lines without comments and
 * indentation. Anything that can change a value a model sees is in FORMULA_SOURCES; the store
 * plumbing (memory-store.ts, redis-store.ts, keys.ts) is not, because the Redis/memory parity tests
 * pin it to state.ts and the Lua script, which are.
 *
 * Dev-time only (needs the `typescript` package); the runtime reads the committed constant.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const FEATURES_PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Files (relative to libs/features) whose code defines what the features compute. */
export const FORMULA_SOURCES: readonly string[] = Object.freeze([
  'src/definitions.ts', // the feature formulas and names (model input order)
  'src/parameters.ts', // windows, horizon, caps, tables
  'src/entities.ts', // which entities (accounts, amount index, device, country) a transaction updates
  'src/state.ts', // the TypeScript state update (memory store, training replay)
  'src/view.ts', // what a state exposes to the formulas
  'src/redis/account-update.lua', // the Redis state update (serving)
  'src/redis/script.ts', // parameter substitution into the Lua source
]);

/**
 * A TypeScript source re-printed from its syntax tree without comments: the compiler's printer
 * fixes the layout, so reformatting or editing a comment gives the same text, and any change to
 * code (a literal, an operator, a name) gives another.
 */
export function normaliseTypeScript(source: string, fileName = 'source.ts'): string {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed }).printFile(file);
}

/** Lua lines without comments, indentation or blank lines. */
export function normaliseLua(source: string): string {
  const withoutBlocks = source.replace(/--\[(=*)\[[\s\S]*?\]\1\]/g, '');
  return withoutBlocks
    .split(/\r?\n/)
    .map((line) => stripLuaLineComment(line).trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Removes a `--` comment that is not inside a quoted string. */
function stripLuaLineComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '-' && line[i + 1] === '-') {
      return line.slice(0, i);
    }
  }
  return line;
}

export function normaliseSource(relativePath: string, source: string): string {
  if (relativePath.endsWith('.lua')) return normaliseLua(source);
  if (relativePath.endsWith('.ts')) return normaliseTypeScript(source, relativePath);
  throw new Error(`no normaliser for formula source ${relativePath} (expected .ts or .lua)`);
}

/** sha256 over the version and every formula source, normalised. */
export function computeFeatureSetFingerprint(version: string, root: string = FEATURES_PACKAGE_ROOT): string {
  const hash = createHash('sha256');
  hash.update(`feature-set ${version}\n`);
  for (const file of FORMULA_SOURCES) {
    const normalised = normaliseSource(file, readFileSync(path.join(root, file), 'utf8'));
    hash.update(`\n== ${file} ${Buffer.byteLength(normalised)}\n`);
    hash.update(normalised);
  }
  return hash.digest('hex');
}
