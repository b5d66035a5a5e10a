/**
 * train-info.json: what the Python training step (python/train_xgb.py) reports back to the
 * TypeScript pipeline. Checked with zod at this process boundary, so a changed Python side fails
 * naming the file and the field instead of writing a wrong manifest.
 */
import { readFile } from 'node:fs/promises';
import { parseJsonFile } from '@fraud/contracts';
import { z } from 'zod';
import { TrainerError } from './errors.ts';

const params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const perFeature = z.record(z.string(), z.number());

/** One model the Python step fitted, with its validation PR-AUC (the selection criterion). */
const candidateSchema = z.object({
  name: z.string(),
  algorithm: z.enum(['xgboost', 'lightgbm']),
  params,
  validationPrAuc: z.number(),
  numTrees: z.int().min(0),
  selected: z.boolean(),
  onnxParityMaxAbsDiff: z.number().optional(),
});
export type Candidate = z.infer<typeof candidateSchema>;

const trainInfoSchema = z.object({
  candidates: z.array(candidateSchema),
  params,
  bestIteration: z.int().min(0),
  bestValidationScore: z.number(),
  numTrees: z.int().min(1),
  importance: z.object({ gain: perFeature, weight: perFeature, cover: perFeature, total_gain: perFeature }),
  versions: z.record(z.string(), z.string()),
});
export type TrainInfo = z.infer<typeof trainInfoSchema>;

export const TRAIN_INFO_FILE = 'train-info.json';

/** Reads and checks the Python step's train-info.json; a bad field is a TrainerError naming it. */
export async function readTrainInfo(file: string): Promise<TrainInfo> {
  return parseJsonFile(
    trainInfoSchema,
    await readFile(file, 'utf8'),
    file,
    (f, field, problem) =>
      new TrainerError(`${f}: ${field} ${problem} (written by the Python training step)`),
  );
}
