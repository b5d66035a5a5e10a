import { ConfigError } from '@fraud/config';

/**
 * Loads an entry point's configuration; a ConfigError (a bad variable, named) is printed as
 * `<name>: bad configuration: <VARIABLE>: <problem>` and the process exits 1 before anything
 * starts. Anything else is a bug and propagates.
 */
export function loadConfigOrExit<T>(
  name: string,
  load: () => T,
  proc: { exit(code: number): never } = process,
): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${name}: bad configuration: ${error.message}`);
    return proc.exit(1);
  }
}
