/**
 * `npm run scorer`: one scorer worker. Reads its configuration from the environment, overlaid on
 * .local/stack.env when that exists (the local stack). Exits 0 after a graceful shutdown, 1 when
 * the configuration is bad, a dependency is missing at start, or the worker fails.
 */
import { withStackEnv } from '@fraud/config';
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { createLogger } from '@fraud/observability';
import { createScorerApp, type ScorerApp } from './app.ts';
import { ConfigError, loadScorerConfig, type ScorerConfig } from './config.ts';

silenceKafkajsTimeoutWarnings();

function configOrExit(): Readonly<ScorerConfig> {
  try {
    return loadScorerConfig(withStackEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`scorer: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
const config = configOrExit();
const logger = createLogger({ name: 'fraud-scorer', level: config.logLevel });

let app: ScorerApp | undefined;
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
  app = await createScorerApp(config, logger);
  app.worker.failed.catch(async (error: unknown) => {
    logger.fatal({ err: error }, 'worker failed: exiting');
    await app?.close();
    process.exit(1);
  });
  await app.worker.start();
  logger.info({ http: `${config.http.host}:${app.ops.port}`, instance: config.instanceId }, 'scorer running');
} catch (error) {
  logger.fatal({ err: error }, 'scorer could not start');
  await app?.close().catch(() => undefined);
  process.exit(1);
}
