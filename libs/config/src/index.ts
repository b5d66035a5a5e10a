export { STACK_ENV_KEYS, findRepoRoot, parseEnvFile, withStackEnv } from './stack-env.ts';
export {
  ConfigError,
  commaList,
  envBool,
  envBrokerList,
  envInt,
  envNonEmpty,
  parseEnv,
} from './env-schema.ts';
export { UsageError, durationArg, numberArg, parseCli, requireArg, runCli, timeArg } from './cli-args.ts';
