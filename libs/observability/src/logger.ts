import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout. Messages are fixed text and context goes in fields, so logs can be
 * searched by message. Amounts, balances and other customer data are never logged at info level:
 * log ids (transaction, account, partition, offset) only.
 */
export function createLogger(options: { name: string; level?: string } & LoggerOptions): Logger {
  return pino({
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    ...options,
  });
}
