/**
 * `npm run scorer`: one scorer worker. Reads its configuration from the environment, overlaid on
 * .local/stack.env when that exists (the local stack). Exit codes (@fraud/runtime's runMain):
 * 0 after a graceful shutdown; 1 when the configuration is bad, a dependency is missing at start,
 * the worker fails or shutting down outlasts SCORER_SHUTDOWN_GRACE_MS; 143 / 130 when SIGTERM /
 * SIGINT arrives before it finished starting.
 */
import { withStackEnv } from '@fraud/config';
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { createLogger } from '@fraud/observability';
import { ServiceLifecycle, loadConfigOrExit, runMain } from '@fraud/runtime';
import { createScorerApp, type ScorerApp } from './app.ts';
import { loadScorerConfig } from './config.ts';

silenceKafkajsTimeoutWarnings();

const config = loadConfigOrExit('scorer', () => loadScorerConfig(withStackEnv()));
const logger = createLogger({ name: 'fraud-scorer', level: config.logLevel });
const lifecycle = new ServiceLifecycle({ name: 'scorer', shutdownDeadlineMs: config.shutdownGraceMs });
let app: ScorerApp | undefined;

await runMain(
  lifecycle,
  {
    start: async (signal) => {
      app = await createScorerApp(config, logger, lifecycle);
      await app.worker.start(signal);
      logger.info(
        { http: `${config.http.host}:${app.ops.port}`, instance: config.instanceId },
        'scorer running',
      );
    },
    close: async () => app?.close(),
  },
  { logger },
);
