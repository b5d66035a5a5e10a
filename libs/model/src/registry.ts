import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ManifestValidationError, ModelNotFoundError } from './errors.ts';
import { VERSION_PATTERN } from './manifest.ts';

export const REGISTRY_FILE = 'registry.json';

export interface ModelRegistryEntry {
  version: string;
  /** Model directory relative to the models directory. */
  path: string;
  created: string;
}

/** models/registry.json: which versions exist and which one decides (champion) or shadows (challenger). */
export interface ModelRegistry {
  schema_version: 1;
  champion: string;
  challenger?: string;
  versions: ModelRegistryEntry[];
  updated: string;
}

function fail(file: string, field: string, problem: string): never {
  throw new ManifestValidationError(file, field, problem);
}

/** Validates a parsed registry.json; champion and challenger must name listed versions. */
export function validateRegistry(value: unknown, file = REGISTRY_FILE): ModelRegistry {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(file, '(root)', 'must be an object');
  const r = value as Record<string, unknown>;
  if (r.schema_version !== 1)
    fail(file, 'schema_version', `must be 1, got ${JSON.stringify(r.schema_version)}`);
  if (!Array.isArray(r.versions)) fail(file, 'versions', 'must be an array');
  const seen = new Set<string>();
  r.versions.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null) fail(file, `versions[${i}]`, 'must be an object');
    if (typeof e.version !== 'string' || !VERSION_PATTERN.test(e.version)) {
      fail(file, `versions[${i}].version`, 'must be a version name ([A-Za-z0-9._-])');
    }
    if (
      typeof e.path !== 'string' ||
      e.path === '' ||
      path.isAbsolute(e.path) ||
      e.path.split(/[\\/]/).includes('..')
    ) {
      fail(file, `versions[${i}].path`, 'must be a relative path inside the models directory');
    }
    if (seen.has(e.version)) fail(file, `versions[${i}].version`, `"${e.version}" is listed twice`);
    seen.add(e.version);
  });
  if (typeof r.champion !== 'string' || !seen.has(r.champion)) {
    fail(file, 'champion', `must name a listed version, got ${JSON.stringify(r.champion)}`);
  }
  if (r.challenger !== undefined && r.challenger !== null) {
    if (typeof r.challenger !== 'string' || !seen.has(r.challenger)) {
      fail(file, 'challenger', `must name a listed version, got ${JSON.stringify(r.challenger)}`);
    }
    if (r.challenger === r.champion) fail(file, 'challenger', 'must differ from the champion');
  }
  const { challenger, ...rest } = r;
  return (typeof challenger === 'string' ? { ...rest, challenger } : rest) as unknown as ModelRegistry;
}

/** Reads `<modelsDir>/registry.json`; `undefined` when there is none (nothing trained yet). */
export async function tryReadModelRegistry(modelsDir: string): Promise<ModelRegistry | undefined> {
  const file = path.join(modelsDir, REGISTRY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelNotFoundError(`${file}: cannot read`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(file, '(root)', `is not valid JSON: ${(error as Error).message}`);
  }
  return validateRegistry(parsed, file);
}

/** Reads and validates `<modelsDir>/registry.json`. */
export async function readModelRegistry(modelsDir: string): Promise<ModelRegistry> {
  const registry = await tryReadModelRegistry(modelsDir);
  if (!registry) throw new ModelNotFoundError(`${path.join(modelsDir, REGISTRY_FILE)}: no model registry`);
  return registry;
}

/**
 * Writes registry.json atomically (temp file in the same directory, fsync, rename): a scorer
 * hot-reloading it sees the old or the new registry, never half of one.
 */
export async function writeModelRegistry(modelsDir: string, registry: ModelRegistry): Promise<void> {
  const file = path.join(modelsDir, REGISTRY_FILE);
  validateRegistry(registry, file);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(registry, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Adds a version (idempotent) and returns the new registry; the first version becomes champion. */
export function addRegistryVersion(
  registry: ModelRegistry | undefined,
  entry: ModelRegistryEntry,
  now = new Date(),
): ModelRegistry {
  const versions = (registry?.versions ?? []).filter((v) => v.version !== entry.version);
  versions.push(entry);
  const base = { schema_version: 1 as const, versions, updated: now.toISOString() };
  const champion = registry?.champion ?? entry.version;
  return registry?.challenger
    ? { ...base, champion, challenger: registry.challenger }
    : { ...base, champion };
}

/**
 * Returns the registry with `version` promoted to champion (the old challenger slot is cleared if
 * it held that version) or, with `challenger`, set as the shadow model.
 */
export function promoteRegistryVersion(
  registry: ModelRegistry,
  version: string,
  options: { challenger?: boolean } = {},
  now = new Date(),
): ModelRegistry {
  if (!registry.versions.some((v) => v.version === version)) {
    throw new ModelNotFoundError(
      `version "${version}" is not in the registry (known: ${registry.versions.map((v) => v.version).join(', ')})`,
    );
  }
  const base = { schema_version: 1 as const, versions: registry.versions, updated: now.toISOString() };
  if (options.challenger) {
    if (version === registry.champion)
      throw new Error(`version "${version}" is the champion; it cannot also be the challenger`);
    return { ...base, champion: registry.champion, challenger: version };
  }
  const challenger = registry.challenger === version ? undefined : registry.challenger;
  return challenger ? { ...base, champion: version, challenger } : { ...base, champion: version };
}
