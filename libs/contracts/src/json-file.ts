/**
 * Checked JSON files: every file or process boundary (a manifest, a registry, a Python step's
 * output) is parsed with a zod schema, so the value's type is exactly what was checked and a bad
 * file fails naming the file and the field.
 */
import type { z } from 'zod';

/** Builds the error thrown for a bad file: names the file, the field and what is wrong. */
export type FileErrorFactory = (file: string, field: string, problem: string) => Error;

/** `a.b[2].c` for a zod issue path; `(root)` for the value itself. */
export function fieldOfPath(path: readonly PropertyKey[]): string {
  let field = '';
  for (const key of path) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += field === '' ? String(key) : `.${String(key)}`;
  }
  return field === '' ? '(root)' : field;
}

/**
 * Checks a parsed JSON value of `file` against `schema` and returns the checked value, typed by
 * the schema (so the type never claims more than was checked). Throws for the first issue,
 * naming the file and the field.
 */
export function parseFileValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
  toError: FileErrorFactory,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw toError(file, fieldOfPath(issue.path), issue.message);
}

/** JSON.parse + parseFileValue: invalid JSON is reported as a `(root)` problem of `file`. */
export function parseJsonFile<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  toError: FileErrorFactory,
): z.output<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw toError(file, '(root)', `is not valid JSON: ${(error as Error).message}`);
  }
  return parseFileValue(schema, parsed, file, toError);
}
