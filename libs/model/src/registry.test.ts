import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestValidationError, ModelNotFoundError } from './errors.ts';
import {
  addRegistryVersion,
  promoteRegistryVersion,
  readModelRegistry,
  tryReadModelRegistry,
  writeModelRegistry,
} from './registry.ts';

const updated = '2025-01-02T00:00:00.000Z';
const entry = (version: string) => ({ version, path: version, created: '2025-01-01T00:00:00.000Z' });

describe('model registry', () => {
  it('adds versions (first is champion), promotes, and writes atomically', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
    expect(await tryReadModelRegistry(dir)).toBeUndefined();
    let r = addRegistryVersion(undefined, entry('v1'));
    r = addRegistryVersion(r, entry('v2'));
    expect(r.champion).toBe('v1');
    await writeModelRegistry(dir, r);
    r = promoteRegistryVersion(await readModelRegistry(dir), 'v2', { challenger: true });
    expect(r).toMatchObject({ champion: 'v1', challenger: 'v2' });
    r = promoteRegistryVersion(r, 'v2');
    expect(r.champion).toBe('v2');
    expect(r.challenger).toBeUndefined();
    await writeModelRegistry(dir, r);
    expect((await readModelRegistry(dir)).champion).toBe('v2');
    expect(await readdir(dir)).toEqual(['registry.json']); // no temp file left behind
  });

  it('refuses unknown versions and a champion as challenger', () => {
    const r = addRegistryVersion(undefined, entry('v1'));
    expect(() => promoteRegistryVersion(r, 'v9')).toThrow(ModelNotFoundError);
    expect(() => promoteRegistryVersion(r, 'v1', { challenger: true })).toThrow(/champion/);
  });

  it('names the field of an invalid registry.json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
    await writeFile(
      path.join(dir, 'registry.json'),
      JSON.stringify({ schema_version: 1, champion: 'v2', versions: [entry('v1')], updated }),
    );
    await expect(readModelRegistry(dir)).rejects.toThrow(ManifestValidationError);
    await expect(readModelRegistry(dir)).rejects.toThrow(/registry\.json: champion/);
    await writeFile(
      path.join(dir, 'registry.json'),
      JSON.stringify({
        schema_version: 1,
        champion: 'v1',
        versions: [{ ...entry('v1'), path: '../x' }],
        updated,
      }),
    );
    await expect(readModelRegistry(dir)).rejects.toThrow(/versions\[0\]\.path/);
    await expect(readModelRegistry(path.join(dir, 'nope'))).rejects.toThrow(ModelNotFoundError);
    expect(
      (JSON.parse(await readFile(path.join(dir, 'registry.json'), 'utf8')) as { champion: string }).champion,
    ).toBe('v1');
  });
});
