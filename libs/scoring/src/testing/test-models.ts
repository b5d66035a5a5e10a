/**
 * Test helpers: a private copy of the committed models directory in a temp dir, and quick "new"
 * model versions made by copying the default model directory under another version name (same
 * features, so valid) with optional manifest edits (other thresholds, another fingerprint).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addRegistryVersion,
  promoteRegistryVersion,
  readManifest,
  readModelRegistry,
  writeModelRegistry,
  type ModelManifest,
} from '@fraud/model';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface TestModels {
  dir: string;
  /** The committed default model's version (the champion of the copy). */
  defaultVersion: string;
  /** Adds `version`: a copy of the default model directory with its manifest edited. */
  addVersion(version: string, edit?: (manifest: ModelManifest) => void): Promise<void>;
  /** Writes registry.json atomically with `version` as champion, or as challenger. */
  promote(version: string, options?: { challenger?: boolean }): Promise<void>;
  remove(): Promise<void>;
}

export async function copyModels(): Promise<TestModels> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scorer-models-'));
  await cp(path.join(repoRoot, 'models'), dir, { recursive: true });
  const registry = await readModelRegistry(dir);
  const defaultVersion = registry.champion;
  const defaultPath = registry.versions.find((v) => v.version === defaultVersion)!.path;
  return {
    dir,
    defaultVersion,
    async addVersion(version, edit) {
      await cp(path.join(dir, defaultPath), path.join(dir, version), { recursive: true });
      const file = path.join(dir, version, 'manifest.json');
      const manifest = await readManifest(path.join(dir, version));
      manifest.version = version;
      edit?.(manifest);
      await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
      const next = addRegistryVersion(await readModelRegistry(dir), {
        version,
        path: version,
        created: new Date().toISOString(),
      });
      await writeModelRegistry(dir, next);
    },
    async promote(version, options = {}) {
      await writeModelRegistry(dir, promoteRegistryVersion(await readModelRegistry(dir), version, options));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
