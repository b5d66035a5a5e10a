/**
 * `npm run console`: the analyst console. Configuration from the environment overlaid on
 * .local/stack.env. Exit codes (@fraud/runtime's runMain): 0 after a graceful shutdown; 1 on bad
 * configuration, when it would start open (no admin), or when shutting down outlasts
 * CONSOLE_SHUTDOWN_GRACE_MS; 143 / 130 on SIGTERM / SIGINT before it finished starting.
 */
import { withStackEnv } from '@fraud/config';
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { createLogger } from '@fraud/observability';
import { ServiceLifecycle, loadConfigOrExit, runMain } from '@fraud/runtime';
import { createConsoleApp, type ConsoleApp } from './app.ts';
import { loadConsoleConfig } from './config.ts';
import { NoUsersError } from './store/users.ts';

silenceKafkajsTimeoutWarnings();

const config = loadConfigOrExit('console', () => loadConsoleConfig(withStackEnv()));
const logger = createLogger({ name: 'fraud-console', level: config.logLevel });
let app: ConsoleApp | undefined;

await runMain(
  new ServiceLifecycle({ name: 'console', shutdownDeadlineMs: config.shutdownGraceMs }),
  {
    start: async () => {
      try {
        app = await createConsoleApp(config, logger);
      } catch (error) {
        if (error instanceof NoUsersError) console.error(`console: refusing to start: ${error.message}`);
        throw error;
      }
      // A fixed first line on stdout that scripts (make demo) can wait for.
      console.log(`console: listening on ${app.url}`);
    },
    close: async () => app?.close(),
  },
  { logger },
);
