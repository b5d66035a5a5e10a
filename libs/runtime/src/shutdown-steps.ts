/** One named step of an ordered shutdown (stop intake, drain, then close the clients it used). */
export type ShutdownStep = readonly [name: string, run: () => Promise<unknown>];

/**
 * Runs the steps in order. A failing step is logged and the next still runs: a client that fails
 * to close must not keep the others open.
 */
export async function runShutdownSteps(
  steps: readonly ShutdownStep[],
  logger: { warn(fields: object, message: string): void },
): Promise<void> {
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (error) {
      logger.warn({ err: error, step: name }, 'shutdown step failed');
    }
  }
}
