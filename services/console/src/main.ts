/**
 * `npm run console`: the analyst console. Configuration from the environment overlaid on
 * .local/stack.env. Exits 1 on bad configuration or when it would start open (no admin).
 */
import { withStackEnv } from '@fraud/config';
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { createLogger } from '@fraud/observability';
import { createConsoleApp, type ConsoleApp } from './app.ts';
import { ConfigError, loadConsoleConfig, type ConsoleConfig } from './config.ts';
import { NoUsersError } from './store/users.ts';

silenceKafkajsTimeoutWarnings();

function configOrExit(): Readonly<ConsoleConfig> {
  try {
    return loadConsoleConfig(withStackEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`console: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = configOrExit();
const logger = createLogger({ name: 'fraud-console', level: config.logLevel });
let app: ConsoleApp | undefined;
let stopping = false;

function shutdown(signal: string): void {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => process.exit(1), 15_000);
  deadline.unref();
  void (app?.close() ?? Promise.resolve()).then(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

try {
  app = await createConsoleApp(config, logger);
  // A fixed first line on stdout that scripts (make demo) can wait for.
  console.log(`console: listening on ${app.url}`);
} catch (error) {
  if (error instanceof NoUsersError) {
    console.error(`console: refusing to start: ${error.message}`);
    process.exit(1);
  }
  logger.fatal({ err: error }, 'console failed to start');
  process.exit(1);
}
