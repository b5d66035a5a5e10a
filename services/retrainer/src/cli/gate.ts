/**
 * `npm run gate -- [--promote] [options]`: champion vs challenger on labelled shadow traffic; with
 * --promote, the challenger becomes champion when every check passes (atomic registry write,
 * logged to <models>/promotions.jsonl either way).
 */
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClients } from '../clients.ts';
import { loadRetrainerEnv } from '../config.ts';
import { DEFAULT_GATE_POLICY } from '../gate.ts';
import { GateError, runGate } from '../promotion.ts';
import { REPO_ROOT } from '../retrain.ts';
import { numberArg, parseCli, runCli, timeArg } from '@fraud/config';
import { FEEDBACK_OPTIONS, gatePolicyArgs, maturityArg } from './feedback-options.ts';

silenceKafkajsTimeoutWarnings();

const USAGE = `usage: npm run gate -- [--promote] [options]

  --promote              make the challenger champion when the gate passes (default: report only)
  --if-challenger        exit 0 quietly when the registry names no challenger (scheduled jobs)
  --models DIR           models directory (default <repo>/models)
  --since T              shadow traffic from T (default: when the challenger was registered)
  --as-of T              labels known at T (default now); --maturity D (default 30d)
  --pr-auc-margin X      challenger PR-AUC >= champion + X (default ${DEFAULT_GATE_POLICY.prAucMargin})
  --recall-margin X      recall at the BLOCK precision >= champion + X (default ${DEFAULT_GATE_POLICY.recallMargin})
  --min-frauds N         labelled frauds needed (default ${DEFAULT_GATE_POLICY.minFrauds})
  --min-alert-rate X / --max-alert-rate X   challenger alert-rate bounds (default ${DEFAULT_GATE_POLICY.minAlertRate} / ${DEFAULT_GATE_POLICY.maxAlertRate})
  --decisions / --labels TOPIC, --max-seconds N (Kafka read bound, default 120)
  --json FILE            write the result as JSON ("-" = stdout)

Exit 0 whether or not the gate passes (the result says); 1 on errors.`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    ...FEEDBACK_OPTIONS,
    promote: { type: 'boolean' },
    'if-challenger': { type: 'boolean' },
    since: { type: 'string' },
    'as-of': { type: 'string' },
    'pr-auc-margin': { type: 'string' },
    'recall-margin': { type: 'string' },
    'min-alert-rate': { type: 'string' },
    'max-alert-rate': { type: 'string' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const now = Date.now();
  const env = loadRetrainerEnv();
  const sinceMs = timeArg(a.since, 'since', now);
  const run = runGate({
    ...createClients(env, 'promotion-gate'),
    topics: { decisions: a.decisions ?? env.topics.decisions, labels: a.labels ?? env.topics.labels },
    modelsDir: a.models ?? path.join(REPO_ROOT, 'models'),
    policy: gatePolicyArgs(a),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    asOfMs: timeArg(a['as-of'], 'as-of', now) ?? now,
    maturityMs: maturityArg(a.maturity),
    promote: a.promote ?? false,
    bounds: { maxMs: (numberArg(a['max-seconds'], 'max-seconds') ?? 120) * 1000 },
  });
  let result;
  try {
    result = await run;
  } catch (error) {
    if (a['if-challenger'] && error instanceof GateError && error.code === 'no_challenger') {
      process.stdout.write('no challenger: nothing to gate\n');
      return;
    }
    throw error;
  }
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (a.json === '-') {
    process.stdout.write(text);
    return;
  }
  process.stdout.write(
    `gate ${result.passed ? 'PASSED' : 'REFUSED'}: champion ${result.championBefore} vs challenger ${result.challengerVersion} ` +
      `on ${result.labelled} labelled shadow decisions (${result.frauds} frauds)\n` +
      result.checks.map((c) => `  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`).join('') +
      (result.promoted ? `promoted: champion is now ${result.championAfter}\n` : ''),
  );
  if (a.json) await writeFile(a.json, text);
});
