import { runBacktest } from '../backtest.ts';
import { metricRows } from './summary.ts';
import { numberArg, parseCli, requireArg, runCli, UsageError } from '@fraud/config';
import { eventTimeOf } from '@fraud/paysim';

const USAGE = `usage: npm run backtest -- --model DIR --data FILE.csv --out SCORES.csv [--evaluate-from-step N] [--skip-invalid-rows]

  --model DIR    a model directory (models/<version>) or a models directory (uses its champion)
  --data FILE    PaySim CSV or JSON lines; replayed through the feature code in event-time order
  --out FILE     writes row,transaction_id,label,score,decision (row = 0-based data-row index)
  --evaluate-from-step N   PaySim step: earlier rows warm the features but are left out of the metrics
                           (e.g. train on steps 1-7, then --evaluate-from-step 8)`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    'skip-invalid-rows': { type: 'boolean' },
    'evaluate-from-step': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fromStep = numberArg(a['evaluate-from-step'], 'evaluate-from-step');
  if (fromStep !== undefined && !(Number.isInteger(fromStep) && fromStep >= 1)) {
    throw new UsageError(`--evaluate-from-step must be an integer >= 1, got ${fromStep}`);
  }
  const started = Date.now();
  const r = await runBacktest({
    ...(fromStep !== undefined ? { evaluateFromMs: eventTimeOf(fromStep, 0) } : {}),
    modelPath: requireArg(a.model, 'model'),
    dataPath: requireArg(a.data, 'data'),
    outPath: requireArg(a.out, 'out'),
    skipInvalidRows: a['skip-invalid-rows'] ?? false,
  });
  const m = r.model.manifest;
  const rows: [string, string][] = [
    ['model', `${m.version} (${r.model.directory})`],
    ['thresholds review / block', `${m.thresholds.review} / ${m.thresholds.block}`],
    ['rows scored / skipped', `${r.rows} / ${r.skipped}`],
    ['labeled rows / in the metrics', `${r.labeledRows} / ${r.evaluatedRows}`],
    [
      'decisions ALLOW / REVIEW / BLOCK',
      `${r.decisions.ALLOW} / ${r.decisions.REVIEW} / ${r.decisions.BLOCK}`,
    ],
    ...(r.metrics
      ? metricRows('backtest', r.metrics)
      : [['metrics', 'n/a (needs labels of both classes)'] as [string, string]]),
    ['wall time', `${((Date.now() - started) / 1000).toFixed(1)}s`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`);
  if (r.metrics) process.stdout.write(`${JSON.stringify({ metrics: r.metrics })}\n`);
});
