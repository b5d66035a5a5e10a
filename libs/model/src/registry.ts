import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelNotFoundError } from './errors.ts';
import { VERSION_PATTERN } from './manifest.ts';
import { parseModelFileValue, parseModelJsonFile } from './schema-file.ts';

export const REGISTRY_FILE = 'registry.json';

const registryEntrySchema = z.object({
  version: z.string().regex(VERSION_PATTERN, 'must be a version name ([A-Za-z0-9._-])'),
  /** Model directory relative to the models directory. */
  path: z
    .string()
    .refine(
      (p) => p !== '' && !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'),
      'must be a relative path inside the models directory',
    ),
  created: z.string(),
});
export type ModelRegistryEntry = z.infer<typeof registryEntrySchema>;

/** models/registry.json: which versions exist and which one decides (champion) or shadows (challenger). */
const registrySchema = z
  .object({
    schema_version: z.literal(1),
    champion: z.string(),
    /** null is read as "no challenger" (and dropped). */
    challenger: z
      .string()
      .nullish()
      .transform((c) => c ?? undefined),
    versions: z.array(registryEntrySchema),
    updated: z.string(),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.versions.forEach((e, i) => {
      if (seen.has(e.version))
        ctx.addIssue({
          code: 'custom',
          path: ['versions', i, 'version'],
          message: `"${e.version}" is listed twice`,
        });
      seen.add(e.version);
    });
    if (!seen.has(r.champion))
      ctx.addIssue({
        code: 'custom',
        path: ['champion'],
        message: `must name a listed version, got "${r.champion}"`,
      });
    if (r.challenger !== undefined && !seen.has(r.challenger))
      ctx.addIssue({
        code: 'custom',
        path: ['challenger'],
        message: `must name a listed version, got "${r.challenger}"`,
      });
    if (r.challenger !== undefined && r.challenger === r.champion)
      ctx.addIssue({ code: 'custom', path: ['challenger'], message: 'must differ from the champion' });
  })
  .transform(({ challenger, ...rest }): Omit<typeof rest, 'challenger'> & { challenger?: string } =>
    challenger === undefined ? rest : { ...rest, challenger },
  );
export type ModelRegistry = z.infer<typeof registrySchema>;

/** Validates a parsed registry.json; champion and challenger must name listed versions. */
export function validateRegistry(value: unknown, file = REGISTRY_FILE): ModelRegistry {
  return parseModelFileValue(registrySchema, value, file);
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
  return parseModelJsonFile(registrySchema, text, file);
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
