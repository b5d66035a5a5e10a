/**
 * The building blocks every service's `loadConfig(env)` uses: zod schemas for the common kinds of
 * environment variable, and one parse that turns the first problem into a ConfigError naming the
 * variable. Services declare their own variables; the rules of what a bool or a broker list is
 * live here once.
 */
import { z } from 'zod';

/** A bad setting, named by its environment variable. Thrown before anything starts. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** `true/false`, `1/0` or `yes/no`. */
export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An integer in [min, max]. */
export const envInt = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(min, `must be >= ${min}`)
    .max(max, `must be <= ${max}`)
    .default(fallback);

/** A non-empty string; required when there is no fallback. */
export const envNonEmpty = (fallback?: string) =>
  fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback);

/** A comma-separated list, blanks dropped. */
export const commaList = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** KAFKA_BROKERS: `host:port[,host:port...]`. */
export const envBrokerList = z
  .string({ message: 'is required (comma-separated host:port list)' })
  .transform(commaList)
  .refine(
    (list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)),
    'must be host:port[,host:port...]',
  );

/** Pino's levels; LOG_LEVEL of every service. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** LOG_LEVEL: one of LOG_LEVELS, `info` when unset. */
export const envLogLevel = z
  .enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  .default('info');

/** Parses `env` with `schema`; the first problem becomes a ConfigError naming its variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  const message =
    env[variable] === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
  throw new ConfigError(variable, message);
}
