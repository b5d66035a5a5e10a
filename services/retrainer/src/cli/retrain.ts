/**
 * `npm run retrain -- [--from T] [--to T] [options] [-- TRAIN OPTIONS]`: dataset -> train ->
 * ONNX parity -> backtest vs the champion -> registered as challenger (the scorers shadow it).
 */
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClients } from '../clients.ts';
import { loadRetrainerEnv } from '../config.ts';
import { REPO_ROOT, retrain } from '../retrain.ts';
import { readPromotionLog } from '@fraud/model';
import { countLabelsSince } from '../build-dataset.ts';
import { lastRetrainAt, maxPsiFromPrometheus, retrainTrigger } from '../triggers.ts';
import { durationArg, numberArg, parseCli, runCli, timeArg, UsageError } from '@fraud/config';
import { FEEDBACK_OPTIONS, maturityArg, minFraudsArg } from './feedback-options.ts';

silenceKafkajsTimeoutWarnings();

const USAGE = `usage: npm run retrain -- [options] [--train-arg=--rounds=200 ...]

  --from T / --to T      decision event-time window (default: now-7d .. now); see npm run dataset
  --dataset DIR          use this dataset directory instead of building one
  --datasets DIR         where built datasets go (default <repo>/.local/datasets)
  --models DIR           models directory with registry.json (default <repo>/models)
  --maturity D           maturity window (default 30d); --min-frauds N (default 20)
  --backtest-fraction F  most recent share of the dataset both models are backtested on (default 0.15)
  --train-arg ARG        passed to npm run train (repeatable), e.g. --train-arg=--rounds=200
  --decisions / --labels TOPIC, --max-seconds N (Kafka read bound, default 120)
  --json FILE            write the result as JSON ("-" = stdout)

Triggers (for a scheduled job: retrain only when one fires, else exit 0 saying why not):
  --if-triggered         check the triggers first
  --max-age D            schedule: the last retrain is older than D (e.g. 7d)
  --min-new-labels N     at least N labels labelled since the last retrain
  --psi-threshold X      a feature or score PSI above X (needs --prometheus-url)
  --prometheus-url URL   Prometheus that scrapes the scorers (fraud_feature_psi, fraud_score_psi)`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    ...FEEDBACK_OPTIONS,
    from: { type: 'string' },
    to: { type: 'string' },
    'as-of': { type: 'string' },
    dataset: { type: 'string' },
    datasets: { type: 'string' },
    'backtest-fraction': { type: 'string' },
    'train-arg': { type: 'string', multiple: true },
    'if-triggered': { type: 'boolean' },
    'max-age': { type: 'string' },
    'min-new-labels': { type: 'string' },
    'psi-threshold': { type: 'string' },
    'prometheus-url': { type: 'string' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const now = Date.now();
  const backtestFraction = numberArg(a['backtest-fraction'], 'backtest-fraction') ?? 0.15;
  if (!(backtestFraction > 0 && backtestFraction <= 1))
    throw new UsageError('--backtest-fraction must be in (0, 1]');
  const modelsDir = a.models ?? path.join(REPO_ROOT, 'models');
  const trainArgs = (a['train-arg'] ?? []).flatMap((arg) => {
    const eq = arg.indexOf('=', 2);
    return eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg];
  });
  let trigger;
  if (a['if-triggered']) {
    const env = loadRetrainerEnv();
    const psiThreshold = numberArg(a['psi-threshold'], 'psi-threshold');
    if (psiThreshold !== undefined && !a['prometheus-url'])
      throw new UsageError('--psi-threshold needs --prometheus-url');
    const lastAt = lastRetrainAt(await readPromotionLog(modelsDir));
    const minNewLabels = numberArg(a['min-new-labels'], 'min-new-labels');
    const newLabels =
      lastAt !== undefined && minNewLabels !== undefined
        ? await countLabelsSince({
            ...createClients(env, 'retrainer-trigger'),
            topic: a.labels ?? env.topics.labels,
            sinceMs: lastAt,
            bounds: { maxMs: (numberArg(a['max-seconds'], 'max-seconds') ?? 120) * 1000 },
          })
        : 0;
    const maxPsi = a['prometheus-url'] ? await maxPsiFromPrometheus(a['prometheus-url']) : undefined;
    trigger = retrainTrigger(
      { maxAgeMs: durationArg(a['max-age'], 'max-age'), minNewLabels, psiThreshold },
      { nowMs: now, lastRetrainAtMs: lastAt, newLabels, maxPsi },
    );
    if (!trigger) {
      process.stdout.write(
        `not triggered: ${newLabels} new labels, max PSI ${maxPsi ?? 'n/a'}, last retrain ${lastAt ? new Date(lastAt).toISOString() : 'never'}\n`,
      );
      return;
    }
    process.stderr.write(`retrain triggered (${trigger.trigger}): ${trigger.detail}\n`);
  }
  let build;
  if (!a.dataset) {
    const env = loadRetrainerEnv();
    const fromMs = timeArg(a.from ?? 'now-7d', 'from', now)!;
    const toMs = timeArg(a.to ?? 'now', 'to', now)!;
    if (!(fromMs < toMs)) throw new UsageError('--from must be before --to');
    build = {
      ...createClients(env, 'retrainer'),
      topics: { decisions: a.decisions ?? env.topics.decisions, labels: a.labels ?? env.topics.labels },
      fromMs,
      toMs,
      asOfMs: timeArg(a['as-of'], 'as-of', now) ?? now,
      maturityMs: maturityArg(a.maturity),
      minFrauds: minFraudsArg(a['min-frauds']),
      outDir: a.datasets ?? path.join(REPO_ROOT, '.local', 'datasets'),
      bounds: { maxMs: (numberArg(a['max-seconds'], 'max-seconds') ?? 120) * 1000 },
    };
  }
  const result = await retrain({
    modelsDir,
    ...(a.dataset ? { datasetDir: a.dataset } : {}),
    ...(build ? { build } : {}),
    trainArgs,
    backtestFraction,
    trainerOutput: a.json === '-' ? 'ignore' : 'inherit',
    ...(trigger ? { reason: `${trigger.trigger}: ${trigger.detail}` } : {}),
  });
  const { manifest: _m, ...dataset } = result.dataset;
  const summary = { ...result, dataset };
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  if (a.json === '-') process.stdout.write(text);
  else {
    const b = result.backtest;
    process.stdout.write(
      `challenger ${result.challengerVersion} registered (dataset ${result.dataset.id}); backtest on ${b.rows} rows, ${b.frauds} frauds:\n` +
        `  PR-AUC champion ${b.champion.pr_auc.toFixed(4)} challenger ${b.challenger.pr_auc.toFixed(4)}; ` +
        `recall at precision ${b.champion.block_precision}: ${b.champion.recall_at_block_precision.toFixed(4)} vs ${b.challenger.recall_at_block_precision.toFixed(4)}\n`,
    );
    if (a.json) await writeFile(a.json, text);
  }
});
