import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelNotFoundError } from './errors.ts';
import {
  promoteRegistryVersion,
  readModelRegistry,
  writeModelRegistry,
  type ModelRegistry,
} from './registry.ts';
import { parseModelJsonFile } from './schema-file.ts';

/** `<models>/promotions.jsonl`: one JSON line per registry change made by promote/gate/rollback. */
export const PROMOTION_LOG_FILE = 'promotions.jsonl';

const promotionLogEntrySchema = z.object({
  at: z.string(),
  /** `promote`: new champion; `challenger`: new shadow model; `rollback`: champion restored; `refused`: the gate said no. */
  action: z.enum(['promote', 'challenger', 'rollback', 'refused']),
  /** The champion before (for `challenger`/`refused`: the champion it was compared with). */
  from: z.string().nullable(),
  to: z.string(),
  /** Who did it: `gate`, `manual`, `rollback`, `retrain`. */
  by: z.string(),
  reason: z.string().optional(),
  /** The gate's evidence, when a gate decided (free-form: shown, never interpreted). */
  gate: z.unknown().optional(),
});
export type PromotionLogEntry = z.infer<typeof promotionLogEntrySchema>;

/** Appends one line (O_APPEND: concurrent writers never interleave within a line this short). */
export async function appendPromotionLog(modelsDir: string, entry: PromotionLogEntry): Promise<void> {
  await appendFile(path.join(modelsDir, PROMOTION_LOG_FILE), `${JSON.stringify(entry)}\n`);
}

export async function readPromotionLog(modelsDir: string): Promise<PromotionLogEntry[]> {
  let text: string;
  try {
    text = await readFile(path.join(modelsDir, PROMOTION_LOG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const file = path.join(modelsDir, PROMOTION_LOG_FILE);
  return text
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => parseModelJsonFile(promotionLogEntrySchema, line, `${file}:${number}`));
}

/**
 * Restores the champion the current one replaced (the `from` of the promotion or rollback that
 * made it champion), writes the registry atomically and logs it. One command undoes a promotion;
 * running it again walks further back.
 */
export async function rollbackChampion(
  modelsDir: string,
  now = new Date(),
): Promise<{ from: string; to: string; registry: ModelRegistry }> {
  const registry = await readModelRegistry(modelsDir);
  const log = await readPromotionLog(modelsDir);
  const made = log.findLast(
    (e) => (e.action === 'promote' || e.action === 'rollback') && e.to === registry.champion && e.from,
  );
  if (!made?.from) {
    throw new ModelNotFoundError(
      `${path.join(modelsDir, PROMOTION_LOG_FILE)}: no promotion made ${registry.champion} champion; nothing to roll back to`,
    );
  }
  // A rollback's own `from` is the model it removed; roll back past it, not to it.
  const target = made.action === 'rollback' ? findPrevious(log, made.to) : made.from;
  if (!target)
    throw new ModelNotFoundError(`no earlier champion than ${registry.champion} in the promotion log`);
  const next = promoteRegistryVersion(registry, target, {}, now);
  await writeModelRegistry(modelsDir, next);
  await appendPromotionLog(modelsDir, {
    at: now.toISOString(),
    action: 'rollback',
    from: registry.champion,
    to: target,
    by: 'rollback',
  });
  return { from: registry.champion, to: target, registry: next };
}

/** The champion `version` replaced when it was first promoted. */
function findPrevious(log: readonly PromotionLogEntry[], version: string): string | undefined {
  return log.findLast((e) => e.action === 'promote' && e.to === version)?.from ?? undefined;
}
