/** Command-line helpers shared by the CLIs (trainer, retrainer): parse, typed options, usage errors. */
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

/** An instant: ISO 8601, epoch milliseconds, or `now` / `now-<duration>` (e.g. `now-1h`). */
export function timeArg(value: string | undefined, name: string, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'now') return nowMs;
  const relative = /^now-(.+)$/.exec(value);
  if (relative) return nowMs - durationArg(relative[1], name)!;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(`--${name} must be ISO 8601, epoch ms or now[-duration], got "${value}"`);
  return ms;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: `30d`, `12h`, `15m`, `10s`, `500ms` or plain milliseconds. */
export function durationArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  if (!match)
    throw new UsageError(`--${name} must be a duration like 30d, 12h, 15m, 10s or 500ms, got "${value}"`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!);
}
