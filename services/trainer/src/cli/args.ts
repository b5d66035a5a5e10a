import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Thrown for a bad command line; the CLIs print the message and usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function requireArg(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function numberArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return n;
}

/** Runs a CLI body: usage errors exit 2, other failures print the message (no stack) and exit 1. */
export async function runCli(usage: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
      process.exitCode = 2;
      return;
    }
    const e = error as Error;
    process.stderr.write(`error: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
    process.exitCode = 1;
  }
}
