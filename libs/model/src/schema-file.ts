import type { z } from 'zod';
import { parseFileValue, parseJsonFile } from '@fraud/contracts';
import { ManifestValidationError } from './errors.ts';

const manifestError = (file: string, field: string, problem: string) =>
  new ManifestValidationError(file, field, problem);

/** Checks a parsed model file (manifest, registry, drift reference); throws ManifestValidationError. */
export function parseModelFileValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
): z.output<S> {
  return parseFileValue(schema, value, file, manifestError);
}

/** JSON.parse + parseModelFileValue; invalid JSON is a `(root)` ManifestValidationError. */
export function parseModelJsonFile<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  return parseJsonFile(schema, text, file, manifestError);
}
