import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FEATURES_PACKAGE_ROOT,
  FORMULA_SOURCES,
  computeFeatureSetFingerprint,
  normaliseLua,
  normaliseTypeScript,
} from '../scripts/fingerprint-sources.ts';
import { FEATURE_SET_FINGERPRINT, FEATURE_SET_VERSION } from './fingerprint.ts';

describe('feature-set fingerprint', () => {
  it('is the sha256 of the current formula sources (regenerate when this fails)', () => {
    const recomputed = computeFeatureSetFingerprint(FEATURE_SET_VERSION);
    if (recomputed !== FEATURE_SET_FINGERPRINT) {
      expect.fail(
        `The feature formulas (${FORMULA_SOURCES.join(', ')}) changed but FEATURE_SET_FINGERPRINT did not: ` +
          `committed ${FEATURE_SET_FINGERPRINT}, sources give ${recomputed}. Bump FEATURE_SET_VERSION in ` +
          'libs/features/src/fingerprint.ts if a feature changed meaning, then run `npm run model:default` ' +
          '(regenerates the fingerprint and retrains the committed default model; `npm run features:fingerprint` ' +
          'regenerates only the fingerprint).',
      );
    }
    expect(recomputed).toBe(FEATURE_SET_FINGERPRINT);
  });

  describe('over a copy of the sources', () => {
    let root: string;
    const base = (): string => computeFeatureSetFingerprint(FEATURE_SET_VERSION, root);
    const edit = async (file: string, from: string | RegExp, to: string): Promise<() => Promise<void>> => {
      const full = path.join(root, file);
      const before = await readFile(full, 'utf8');
      const after = before.replace(from, to);
      expect(after, `edit of ${file} must apply`).not.toBe(before);
      await writeFile(full, after);
      return () => writeFile(full, before);
    };

    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'fingerprint-'));
      await cp(path.join(FEATURES_PACKAGE_ROOT, 'src'), path.join(root, 'src'), { recursive: true });
    });
    afterAll(() => rm(root, { recursive: true, force: true }));

    it('changes when a formula in definitions.ts changes', async () => {
      const original = base();
      const restore = await edit(
        'src/definitions.ts',
        'out[i++] = Math.log1p(amt);',
        'out[i++] = Math.log(amt + 2);',
      );
      expect(base()).not.toBe(original);
      await restore();
      expect(base()).toBe(original);
    });

    it('changes when the Redis Lua script changes', async () => {
      const original = base();
      const restore = await edit(
        'src/redis/account-update.lua',
        /\nlocal /,
        '\nlocal unused_by_test = 1\nlocal ',
      );
      expect(base()).not.toBe(original);
      await restore();
    });

    it('changes when a parameter or the version changes', async () => {
      const original = base();
      const restore = await edit('src/parameters.ts', 'DRAIN_RATIO_CAP = 1000', 'DRAIN_RATIO_CAP = 999');
      expect(base()).not.toBe(original);
      await restore();
      expect(computeFeatureSetFingerprint('0.0.0-test', root)).not.toBe(original);
    });

    it('ignores comments and formatting', async () => {
      const original = base();
      const restoreTs = await edit(
        'src/definitions.ts',
        'const HOUR_MS = 3_600_000;',
        '// why\nconst   HOUR_MS =\n  3_600_000 ;',
      );
      const restoreLua = await edit('src/redis/account-update.lua', /\nlocal /, '\n  -- a note\n\nlocal ');
      expect(base()).toBe(original);
      await restoreTs();
      await restoreLua();
    });
  });

  it('normalises without losing strings that look like comments', () => {
    expect(normaliseLua("local s = '--not a comment' -- a comment")).toBe("local s = '--not a comment'");
    expect(normaliseTypeScript("const s = '// kept'; // dropped\n")).toContain('// kept');
    expect(normaliseTypeScript("const s = '// kept'; // dropped\n")).not.toContain('dropped');
  });
});
