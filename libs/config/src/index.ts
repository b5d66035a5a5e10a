export { STACK_ENV_KEYS, findRepoRoot, parseEnvFile, withStackEnv } from './stack-env.ts';
export {
  ConfigError,
  commaList,
  envBool,
  envBrokerList,
  envInt,
  envLogLevel,
  envNonEmpty,
  parseEnv,
  LOG_LEVELS,
  type LogLevel,
} from './env-schema.ts';
export {
  SASL_MECHANISMS,
  kafkaConnectionFromEnv,
  kafkaEnv,
  kafkaEnvShape,
  type KafkaConnectionSettings,
  type KafkaEnv,
} from './kafka-env.ts';
export { UsageError, durationArg, numberArg, parseCli, requireArg, runCli, timeArg } from './cli-args.ts';
export {
  envRedisPassword,
  envRedisUrl,
  loadStackSettings,
  redisEnvShape,
  type KafkaStackSettings,
  type StackSettings,
} from './stack-settings.ts';
