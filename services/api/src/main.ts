/**
 * `npm run api`: the synchronous scoring API. Reads its configuration from the environment,
 * overlaid on .local/stack.env when that exists (the local stack). Exits 0 after a graceful
 * shutdown, 1 when the configuration is bad or the server cannot listen.
 */
import { withStackEnv } from '@fraud/config';
import { createLogger } from '@fraud/observability';
import { createApiApp, type ApiApp } from './app.ts';
import { ConfigError, loadApiConfig, type ApiConfig } from './config.ts';

function configOrExit(): Readonly<ApiConfig> {
  try {
    return loadApiConfig(withStackEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`api: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
const config = configOrExit();
const logger = createLogger({ name: 'fraud-api', level: config.logLevel });

let app: ApiApp | undefined;
let stopping = false;

function shutdown(signal: string): void {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace period exceeded: exiting');
    process.exit(1);
  }, config.shutdownGraceMs);
  deadline.unref();
  void (app?.close() ?? Promise.resolve()).then(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

try {
  app = await createApiApp(config, logger);
  logger.info(
    {
      http: `${config.http.host}:${app.port}`,
      keys: config.apiKeys.length,
      maxBatchSize: config.batching.maxBatchSize,
      ready: app.readiness().ready,
    },
    'api listening',
  );
} catch (error) {
  logger.fatal({ err: error }, 'api could not start');
  await app?.close().catch(() => undefined);
  process.exit(1);
}
