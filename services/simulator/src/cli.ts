/**
 * `npm run simulate -- ...`: PaySim-grade transactions to a CSV/JSON-lines file, or to Kafka
 * (simulated or replayed from a PaySim CSV). See services/simulator/README.md.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, withStackEnv } from '@fraud/config';
import { TOPICS } from '@fraud/contracts';
import { DEFAULT_START_TIME_MS, PaysimImportError } from '@fraud/paysim';
import { CliUsageError, KafkaUnreachableError, RegistryUnreachableError } from './errors.ts';
import { runFileMode } from './file-mode.ts';
import { runKafkaMode } from './kafka-mode.ts';
import { createProgress } from './progress.ts';
import { SimulationOptionsError, type SimulationOptions } from './simulate.ts';
import { KafkaOutageError, silenceKafkajsTimeoutWarnings } from '@fraud/kafka';

function integer(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return value;
  };
}

function decimal(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min)
      throw new InvalidArgumentError(`expected a number >= ${min}`);
    return value;
  };
}

function timestamp(text: string): number {
  const value = Date.parse(text);
  if (Number.isNaN(value))
    throw new InvalidArgumentError('expected an ISO 8601 time, e.g. 2025-01-01T00:00:00Z');
  return value;
}

interface RawOptions {
  transactions?: number;
  seed: number;
  out?: string;
  startTime: number;
  days: number;
  fraudRate: number;
  customers?: number;
  currency: string;
  idPrefix?: string;
  kafka: boolean;
  rate: number;
  count?: number;
  maxSeconds: number;
  maxOutage: number;
  topic: string;
  labelsTopic: string;
  labelsDelayMs: number;
  fromCsv?: string;
  keepEventTime: boolean;
}

silenceKafkajsTimeoutWarnings();

const program = new Command()
  .name('simulate')
  .description('PaySim-grade fraud transaction simulator: to a PaySim CSV, or to Kafka')
  .option('--transactions <n>', 'file mode: transactions to generate', integer(0))
  .option('--seed <s>', 'PRNG seed: the same seed gives the same transactions', integer(0), 1)
  .option('--out <file>', 'file mode: output path (.csv = PaySim CSV, .jsonl = JSON lines of Transactions)')
  .option('--start-time <iso>', 'event time of step 1', timestamp, DEFAULT_START_TIME_MS)
  .option('--days <d>', 'simulated span in days', decimal(0.01), 30)
  .option('--fraud-rate <r>', 'target share of fraudulent transactions', decimal(0), 0.0015)
  .option('--customers <n>', 'population size (default: transactions / 25)', integer(20))
  .option('--currency <code>', 'ISO 4217 currency of amounts', 'USD')
  .option('--id-prefix <p>', 'transactionId prefix (default: ps- to a file, sim-<run>- to Kafka)')
  .option('--kafka', 'produce to Kafka (settings from .local/stack.env or the environment)', false)
  .option('--rate <r>', 'Kafka mode: transactions per second (0 = unthrottled)', decimal(0), 100)
  .option(
    '--count <n>',
    'Kafka mode: transactions to produce (default 1000; all rows with --from-csv)',
    integer(1),
  )
  .option('--max-seconds <s>', 'Kafka mode: stop producing after this long', decimal(1), 600)
  .option(
    '--max-outage <s>',
    'Kafka mode: seconds a broker outage is ridden out before giving up',
    decimal(1),
    60,
  )
  .option('--topic <t>', 'Kafka mode: transactions topic', TOPICS.transactions)
  .option('--labels-topic <t>', 'Kafka mode: labels topic', TOPICS.labels)
  .option('--labels-delay-ms <d>', 'Kafka mode: delay of each label after its transaction', integer(0), 5_000)
  .option('--from-csv <file>', 'Kafka mode: replay this PaySim CSV instead of simulating')
  .option('--keep-event-time', 'Kafka mode: keep simulated/imported event times instead of now', false)
  .showHelpAfterError();

function simulationOf(o: RawOptions, transactions: number, idPrefix: string): SimulationOptions {
  return {
    seed: o.seed,
    transactions,
    startTimeMs: o.startTime,
    days: o.days,
    fraudRate: o.fraudRate,
    customers: o.customers,
    currency: o.currency,
    idPrefix,
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0.000%' : `${((100 * part) / whole).toFixed(3)}%`;
}

async function main(argv: string[]): Promise<void> {
  const o = program.parse(argv).opts<RawOptions>();
  if (!o.kafka) {
    if (o.transactions === undefined)
      throw new CliUsageError('--transactions', 'is required without --kafka');
    if (!o.out) throw new CliUsageError('--out', 'is required without --kafka');
    if (o.fromCsv) throw new CliUsageError('--from-csv', 'only works with --kafka');
    const progress = createProgress(o.transactions, 'rows');
    const summary = await runFileMode({
      simulation: simulationOf(o, o.transactions, o.idPrefix ?? 'ps-'),
      out: o.out,
      onProgress: (done, fraud) => progress.update(done, fraud),
    }).finally(() => progress.stop());
    console.log(
      `wrote ${summary.rows} rows to ${o.out}: ${summary.fraud} fraud (${percent(summary.fraud, summary.rows)}) ` +
        `in ${summary.seconds.toFixed(2)} s`,
    );
    return;
  }

  if (o.out) throw new CliUsageError('--out', 'does not combine with --kafka');
  const count = o.count ?? (o.fromCsv ? Number.MAX_SAFE_INTEGER : 1_000);
  // A fresh prefix per run: the scorer treats a transactionId it has seen as a redelivery.
  const idPrefix = o.idPrefix ?? `sim-${Date.now().toString(36)}-`;
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = createProgress(
    o.fromCsv ? 0 : Math.min(count, Math.ceil(o.rate * o.maxSeconds) || count),
    'tx',
  );
  let skipped = 0;
  let lastRetryLogMs = -Infinity;
  const summary = await runKafkaMode(
    {
      simulation: simulationOf(o, count, idPrefix),
      fromCsv: o.fromCsv,
      topic: o.topic,
      labelsTopic: o.labelsTopic,
      ratePerSecond: o.rate,
      count,
      maxSeconds: o.maxSeconds,
      labelsDelayMs: o.labelsDelayMs,
      eventTime: o.keepEventTime ? 'keep' : 'now',
      csvStartTimeMs: o.startTime,
      signal: abort.signal,
      maxOutageSeconds: o.maxOutage,
      onSendRetry: ({ topic, outageMs, error }) => {
        // One line per second of outage at most: the progress bar shows the rest.
        if (outageMs - lastRetryLogMs < 1_000 && outageMs > 0) return;
        lastRetryLogMs = outageMs;
        console.error(
          `simulate: producing to ${topic} failed ${Math.round(outageMs / 1000)} s into an outage, retrying (gives up after --max-outage ${o.maxOutage} s): ${String(error)}`,
        );
      },
      onProgress: (p) => progress.update(p.transactions, p.fraud),
      onSkippedRow: (error) => {
        skipped += 1;
        if (skipped <= 5) console.error(`skipped ${error.message}`);
      },
    },
    withStackEnv(process.env),
  ).finally(() => progress.stop());
  console.log(
    `produced ${summary.transactions} transactions to ${summary.topic} (${summary.fraud} fraud, ` +
      `${percent(summary.fraud, summary.transactions)}) and ${summary.labels} labels to ${summary.labelsTopic} ` +
      `in ${summary.seconds.toFixed(2)} s (stopped by ${summary.stoppedBy}` +
      `${summary.skippedRows > 0 ? `, ${summary.skippedRows} CSV rows skipped` : ''})`,
  );
}

const KNOWN_ERRORS = [
  CliUsageError,
  ConfigError,
  SimulationOptionsError,
  KafkaUnreachableError,
  KafkaOutageError,
  RegistryUnreachableError,
  PaysimImportError,
];

main(process.argv).catch((error: unknown) => {
  if (KNOWN_ERRORS.some((type) => error instanceof type)) {
    console.error(`simulate: ${(error as Error).message}`);
  } else {
    console.error('simulate: unexpected failure', error);
  }
  process.exitCode = 1;
});
