import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainerError } from './errors.ts';
import { readTrainInfo } from './train-info.ts';

const valid = {
  candidates: [
    {
      name: 'xgboost (given parameters)',
      algorithm: 'xgboost',
      params: { max_depth: 4 },
      validationPrAuc: 0.5,
      numTrees: 10,
      selected: true,
    },
  ],
  params: { max_depth: 4 },
  bestIteration: 9,
  bestValidationScore: 0.5,
  numTrees: 10,
  importance: { gain: { a: 1 }, weight: { a: 2 }, cover: { a: 3 }, total_gain: { a: 4 } },
  versions: { xgboost: '3.2.0' },
};

async function written(value: unknown): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'train-info-')), 'train-info.json');
  await writeFile(file, JSON.stringify(value));
  return file;
}

describe('readTrainInfo', () => {
  it('returns the checked Python output', async () => {
    const info = await readTrainInfo(await written(valid));
    expect(info.candidates[0]!.algorithm).toBe('xgboost');
    expect(info.importance.total_gain.a).toBe(4);
  });

  it('names the file and the field the Python step got wrong', async () => {
    const file = await written({ ...valid, numTrees: 'ten' });
    await expect(readTrainInfo(file)).rejects.toThrow(TrainerError);
    await expect(readTrainInfo(file)).rejects.toThrow(`${file}: numTrees`);
    const badCandidate = await written({
      ...valid,
      candidates: [{ ...valid.candidates[0], algorithm: 'svm' }],
    });
    await expect(readTrainInfo(badCandidate)).rejects.toThrow('candidates[0].algorithm');
    const notJson = path.join(path.dirname(file), 'broken.json');
    await writeFile(notJson, '{');
    await expect(readTrainInfo(notJson)).rejects.toThrow(/broken\.json: \(root\) is not valid JSON/);
  });
});
