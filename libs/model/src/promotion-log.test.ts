import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendPromotionLog, readPromotionLog, rollbackChampion } from './promotion-log.ts';
import { readModelRegistry, writeModelRegistry, type ModelRegistry } from './registry.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const registry = (champion: string): ModelRegistry => ({
  schema_version: 1,
  champion,
  versions: ['a', 'b', 'c'].map((v) => ({ version: v, path: v, created: '2026-01-01T00:00:00.000Z' })),
  updated: '2026-01-01T00:00:00.000Z',
});

describe('rollbackChampion', () => {
  it('restores the champion the last promotion replaced, logs it, and walks further back when run again', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'promotions-'));
    await writeModelRegistry(dir, registry('c'));
    await appendPromotionLog(dir, {
      at: '2026-01-01T00:00:00Z',
      action: 'promote',
      from: 'a',
      to: 'b',
      by: 'gate',
    });
    await appendPromotionLog(dir, {
      at: '2026-01-02T00:00:00Z',
      action: 'promote',
      from: 'b',
      to: 'c',
      by: 'gate',
    });

    expect(await rollbackChampion(dir)).toMatchObject({ from: 'c', to: 'b' });
    expect((await readModelRegistry(dir)).champion).toBe('b');
    expect(await rollbackChampion(dir)).toMatchObject({ from: 'b', to: 'a' });
    expect((await readModelRegistry(dir)).champion).toBe('a');
    await expect(rollbackChampion(dir)).rejects.toThrow(/nothing to roll back to|no earlier champion/);
    const log = await readPromotionLog(dir);
    expect(log.map((e) => `${e.action}:${e.from}->${e.to}`)).toEqual([
      'promote:a->b',
      'promote:b->c',
      'rollback:c->b',
      'rollback:b->a',
    ]);
    expect(await readFile(path.join(dir, 'registry.json'), 'utf8')).toContain('"champion": "a"');
  });
});
