export { IllegalStateError, ShutdownDeadlineExceeded, StartInterruptedError } from './errors.ts';
export { ExponentialBackoff, abortableSleep, type BackoffOptions } from './backoff.ts';
export {
  ServiceLifecycle,
  type LifecycleHooks,
  type LifecycleOptions,
  type LifecycleState,
} from './lifecycle.ts';
export { exitCodeFor, runMain, type MainLogger, type MainProcess, type RunMainOptions } from './run-main.ts';
export { loadConfigOrExit } from './config-or-exit.ts';
export { silenceTimeoutNegativeWarnings } from './process-warnings.ts';
export { runShutdownSteps, type ShutdownStep } from './shutdown-steps.ts';
