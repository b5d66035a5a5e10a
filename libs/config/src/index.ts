export { STACK_ENV_KEYS, findRepoRoot, parseEnvFile, withStackEnv } from './stack-env.ts';
