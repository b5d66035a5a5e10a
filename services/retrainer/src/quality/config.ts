import { z } from 'zod';
import { envInt, envLogLevel, envNonEmpty, parseEnv, withStackEnv, type LogLevel } from '@fraud/config';
import { retrainerEnvFrom, retrainerEnvShape, type RetrainerEnv } from '../config.ts';

const envSchema = z.object({
  ...retrainerEnvShape,
  MODEL_REGISTRY_DIR: envNonEmpty('models'),
  QUALITY_MAX_TRANSACTIONS: envInt(1_000_000, 1_000, 50_000_000),
  QUALITY_HTTP_HOST: envNonEmpty('127.0.0.1'),
  QUALITY_HTTP_PORT: envInt(9465, 0, 65_535),
  QUALITY_SHUTDOWN_GRACE_MS: envInt(10_000, 100, 600_000),
  LOG_LEVEL: envLogLevel,
});

export interface QualityConfig extends RetrainerEnv {
  kafka: NonNullable<RetrainerEnv['kafka']>;
  modelRegistryDir: string;
  maxTransactions: number;
  http: { host: string; port: number };
  /** From SIGTERM (or a fatal error) to everything closed; past it the process exits 1. */
  shutdownGraceMs: number;
  logLevel: LogLevel;
}

/**
 * The live-quality exporter's settings, overlaid on .local/stack.env; a bad value is a
 * ConfigError naming the variable.
 */
export function loadQualityConfig(env: NodeJS.ProcessEnv = process.env): Readonly<QualityConfig> {
  const e = parseEnv(envSchema, withStackEnv(env));
  return Object.freeze({
    ...retrainerEnvFrom(e),
    modelRegistryDir: e.MODEL_REGISTRY_DIR,
    maxTransactions: e.QUALITY_MAX_TRANSACTIONS,
    http: { host: e.QUALITY_HTTP_HOST, port: e.QUALITY_HTTP_PORT },
    shutdownGraceMs: e.QUALITY_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
  });
}
