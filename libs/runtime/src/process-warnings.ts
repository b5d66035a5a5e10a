/**
 * kafkajs 2.2 arms a timer with a negative delay on every throttle-free response (its
 * RequestQueue), which Node 24 reports as a TimeoutNegativeWarning on stderr: noise, not a fault.
 * Entry points (and the integration tests' global setup) call this once; every other process
 * warning is still printed.
 */
export function silenceTimeoutNegativeWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning')
      console.error(`(warning) ${warning.name}: ${warning.message}`);
  });
}
