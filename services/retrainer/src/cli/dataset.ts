/**
 * `npm run dataset -- --from T --to T --out DIR [options]`: logged feature vectors (fraud.decisions)
 * joined point-in-time with labels (fraud.labels) -> a versioned dataset directory.
 */
import { silenceKafkajsTimeoutWarnings } from '@fraud/kafka';
import { buildDataset } from '../build-dataset.ts';
import { createClients } from '../clients.ts';
import { loadRetrainerEnv } from '../config.ts';
import { DEFAULT_MATURITY, DEFAULT_MIN_FRAUDS } from '../defaults.ts';
import { durationArg, numberArg, parseCli, requireArg, runCli, timeArg, UsageError } from '@fraud/config';

silenceKafkajsTimeoutWarnings();

const USAGE = `usage: npm run dataset -- --from T --to T --out DIR [options]

  --from T / --to T    decisions with event time in [from, to): ISO 8601, epoch ms, now, now-2h
  --out DIR            datasets directory: writes DIR/<dataset_id>/ (data.csv, label-audit.csv, manifest.json)
  --as-of T            labels count when labelled at or before T (default: now)
  --maturity D         unlabelled transactions older than D at --as-of count as legitimate
                       (default ${DEFAULT_MATURITY}; e.g. 30d in production, seconds for the simulator)
  --min-frauds N       refuse a dataset with fewer fraud rows (default ${DEFAULT_MIN_FRAUDS})
  --decisions TOPIC    (default TOPIC_DECISIONS or fraud.decisions)
  --labels TOPIC       (default TOPIC_LABELS or fraud.labels)
  --max-seconds N      stop reading Kafka after N seconds (default 120)

Prints the manifest as JSON. Exit 1 with the counts when there are too few frauds.`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    'as-of': { type: 'string' },
    maturity: { type: 'string' },
    'min-frauds': { type: 'string' },
    decisions: { type: 'string' },
    labels: { type: 'string' },
    'max-seconds': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const now = Date.now();
  const fromMs = timeArg(requireArg(a.from, 'from'), 'from', now)!;
  const toMs = timeArg(requireArg(a.to, 'to'), 'to', now)!;
  if (!(fromMs < toMs)) throw new UsageError('--from must be before --to');
  const minFrauds = numberArg(a['min-frauds'], 'min-frauds') ?? DEFAULT_MIN_FRAUDS;
  if (!Number.isInteger(minFrauds) || minFrauds < 1)
    throw new UsageError('--min-frauds must be an integer >= 1');
  const maxSeconds = numberArg(a['max-seconds'], 'max-seconds') ?? 120;
  const env = loadRetrainerEnv();
  const { kafka, registry } = createClients(env, 'dataset-builder');
  const built = await buildDataset({
    kafka,
    registry,
    topics: { decisions: a.decisions ?? env.topics.decisions, labels: a.labels ?? env.topics.labels },
    fromMs,
    toMs,
    asOfMs: timeArg(a['as-of'], 'as-of', now) ?? now,
    maturityMs: durationArg(a.maturity ?? DEFAULT_MATURITY, 'maturity')!,
    minFrauds,
    outDir: requireArg(a.out, 'out'),
    bounds: { maxMs: maxSeconds * 1000 },
  });
  process.stderr.write(`dataset ${built.manifest.dataset_id}: ${built.dir}\n`);
  process.stdout.write(`${JSON.stringify(built.manifest, null, 2)}\n`);
});
