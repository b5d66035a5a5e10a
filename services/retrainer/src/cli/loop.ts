/**
 * `make loop` / `npm run loop`: the whole feedback loop on the local stack (private topics,
 * groups and Redis prefix), bounded in time; the last line of output is the result as JSON.
 * Exit 1 on any failure, or when no promotion happened (the run is built to produce one).
 */
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { loadRetrainerEnv } from '../config.ts';
import { killStartedChildren } from '../loop/processes.ts';
import { runLoop } from '../loop/run-loop.ts';
import { loadStackSettings, parseCli, runCli, UsageError } from '@fraud/config';

silenceKafkajsTimeoutWarnings();

const USAGE = `usage: npm run loop -- [--allow-no-promotion] [--max-seconds N]

Runs seed champion -> scorer -> simulated traffic with delayed labels -> logged features ->
dataset -> retrain -> challenger in shadow -> labelled shadow traffic -> gate -> promotion ->
decisions by the new champion, on the local stack (make up). Prints progress on stderr and the
result JSON as the last stdout line.`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    'allow-no-promotion': { type: 'boolean' },
    'max-seconds': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const maxSeconds = Number(a['max-seconds'] ?? 600);
  if (!(maxSeconds > 0)) throw new UsageError('--max-seconds must be > 0');
  const env = loadRetrainerEnv();
  const { redisUrl } = loadStackSettings();
  const started = Date.now();
  const deadline = setTimeout(() => {
    process.stderr.write(`loop: exceeded ${maxSeconds} s; exiting\n`);
    killStartedChildren();
    process.exit(1);
  }, maxSeconds * 1000);
  deadline.unref();
  const result = await runLoop({
    env,
    redisUrl,
    log: (message) =>
      process.stderr.write(`loop [${((Date.now() - started) / 1000).toFixed(1)} s] ${message}\n`),
  });
  clearTimeout(deadline);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!result.promoted && !a['allow-no-promotion']) {
    process.stderr.write('loop: the gate did not promote the challenger (see gate_checks)\n');
    process.exitCode = 1;
  }
});
