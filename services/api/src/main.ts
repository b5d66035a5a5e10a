/**
 * `npm run api`: the synchronous scoring API. Reads its configuration from the environment,
 * overlaid on .local/stack.env when that exists (the local stack). Exit codes (@fraud/runtime's
 * runMain): 0 after a graceful shutdown; 1 when the configuration is bad, the server cannot
 * listen or shutting down outlasts API_SHUTDOWN_GRACE_MS; 143 / 130 on SIGTERM / SIGINT before
 * it finished starting.
 */
import { withStackEnv } from '@fraud/config';
import { createLogger } from '@fraud/observability';
import { ServiceLifecycle, loadConfigOrExit, runMain } from '@fraud/runtime';
import { createApiApp, type ApiApp } from './app.ts';
import { loadApiConfig } from './config.ts';

const config = loadConfigOrExit('api', () => loadApiConfig(withStackEnv()));
const logger = createLogger({ name: 'fraud-api', level: config.logLevel });
let app: ApiApp | undefined;

await runMain(
  new ServiceLifecycle({ name: 'api', shutdownDeadlineMs: config.shutdownGraceMs }),
  {
    start: async () => {
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
    },
    close: async () => app?.close(),
  },
  { logger },
);
