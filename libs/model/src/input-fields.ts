/**
 * Which Transaction fields a model needs. A model trained without balances must run on a stream
 * that has none; a model that reads balances must not run on one that lacks them (its balance
 * features would all be "missing" and it would score garbage without any error). The manifest
 * lists the fields (`input_fields`); the loader refuses a model whose fields the stream does not
 * provide. Kept here, beside manifest validation, so every place that loads a model gets the check.
 */
import { z } from 'zod';
import { ModelInputsUnavailableError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';

/** Fields every Transaction carries (the Avro schema makes them non-null). */
export const ALWAYS_PRESENT_FIELDS = [
  'transactionId',
  'eventTime',
  'type',
  'amountMinor',
  'currency',
  'originAccountId',
  'destinationAccountId',
] as const;

export const BALANCE_FIELDS = [
  'originBalanceBeforeMinor',
  'originBalanceAfterMinor',
  'destinationBalanceBeforeMinor',
  'destinationBalanceAfterMinor',
] as const;

/** Nullable fields an upstream may or may not send. */
export const OPTIONAL_FIELDS = [
  ...BALANCE_FIELDS,
  'channel',
  'deviceId',
  'countryCode',
  'merchantCategory',
] as const;

export type InputField = (typeof ALWAYS_PRESENT_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number];

export const INPUT_FIELDS: readonly InputField[] = [...ALWAYS_PRESENT_FIELDS, ...OPTIONAL_FIELDS];

/** What a STREAM_FIELDS setting may hold; every service that loads models reads it the same way. */
export const STREAM_FIELDS_HINT = `a comma-separated subset of ${OPTIONAL_FIELDS.join(',')} (empty = none)`;

/**
 * Parses a STREAM_FIELDS value (the optional Transaction fields the upstream sends) into a list,
 * or undefined when it names a field that is not optional. Empty means none.
 */
export function parseStreamFields(text: string): string[] | undefined {
  const list = text
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return list.every((f) => (OPTIONAL_FIELDS as readonly string[]).includes(f)) ? list : undefined;
}

/**
 * The STREAM_FIELDS environment variable of every decision path (scorer and API must accept the
 * same models): a comma list of optional Transaction fields, all of them when unset.
 */
export function streamFieldsEnv() {
  return z
    .string()
    .default(OPTIONAL_FIELDS.join(','))
    .transform(
      (v, ctx) =>
        parseStreamFields(v) ??
        (ctx.addIssue({ code: 'custom', message: `must be ${STREAM_FIELDS_HINT}` }), z.NEVER),
    );
}

/**
 * A manifest written before `input_fields` existed came from a trainer that always read the four
 * balances: such a model is taken to need them.
 */
const LEGACY_INPUT_FIELDS: readonly InputField[] = [...ALWAYS_PRESENT_FIELDS, ...BALANCE_FIELDS];

export function modelInputFields(manifest: Pick<ModelManifest, 'input_fields'>): readonly InputField[] {
  return manifest.input_fields ?? LEGACY_INPUT_FIELDS;
}

/** Throws ModelInputsUnavailableError naming every field the model needs and the stream lacks. */
export function checkModelInputs(
  manifest: Pick<ModelManifest, 'input_fields' | 'version'>,
  streamFields: Iterable<string>,
): void {
  const provided = new Set<string>([...ALWAYS_PRESENT_FIELDS, ...streamFields]);
  const missing = modelInputFields(manifest).filter((f) => !provided.has(f));
  if (missing.length > 0) throw new ModelInputsUnavailableError(manifest.version, missing);
}
