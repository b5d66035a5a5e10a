import { trainModel } from '../train-pipeline.ts';
import { DEFAULT_SPLIT } from '../split.ts';
import { DEFAULT_THRESHOLD_POLICY } from '../thresholds.ts';
import { DEFAULT_COST_MODEL } from '../cost-thresholds.ts';
import type { TrainingParams } from '../params.ts';
import { numberArg, parseCli, requireArg, runCli, UsageError } from '@fraud/config';
import { trainProgressDisplay } from './progress.ts';
import { summaryTable } from './summary.ts';

const USAGE = `usage: npm run train -- --data FILE.csv|FILE.jsonl --out MODELS_DIR [options]

  --data FILE              PaySim CSV (exact PaySim header) or JSON lines of Transaction events with isFraud
  --out DIR                models directory: writes DIR/<version>/ and updates DIR/registry.json
  --version V              model version (default: <utc timestamp>-<onnx sha256 prefix>)
  --block-precision P      BLOCK threshold: validation precision target (default ${DEFAULT_THRESHOLD_POLICY.blockPrecisionTarget})
  --review-recall R        REVIEW threshold: validation recall target (default ${DEFAULT_THRESHOLD_POLICY.reviewRecallTarget})
  --train-fraction F       time split (default ${DEFAULT_SPLIT.train}); --validation-fraction F (default ${DEFAULT_SPLIT.validation})
  --max-depth N --learning-rate X --rounds N --early-stopping N --min-child-weight X
  --subsample X --colsample X --scale-pos-weight X|sqrt|ratio --nthread N --seed N
  --skip-invalid-rows      skip and count unusable rows instead of failing on the first
  --cost-thresholds        choose REVIEW/BLOCK by minimum expected cost on validation (a missed fraud
                           costs its amount) instead of the precision/recall targets
  --review-cost X          analyst cost of one review, major units (default ${DEFAULT_COST_MODEL.reviewCostMinor / 100})
  --wrong-block-cost X     friction cost of blocking a legitimate transaction (default ${DEFAULT_COST_MODEL.wrongBlockCostMinor / 100})
  --search-trials N        Optuna TPE search: N trials per algorithm on the time-split validation
  --search-timeout S       wall-time bound of each search, seconds (default 600)
  --evaluate-on FILE       also backtest the finished model on this labeled file (repeatable), e.g. real
                           PaySim rows for a simulator-trained model; results go into the report
  --stream-fields A,B      train for a stream with only these optional fields (others blanked; '' = none,
                           e.g. PaySim); the manifest's input_fields then never lists the others
  --drop-features A,B      features the model must not use (blanked in training; the model ignores them)
  --lightgbm               also fit LightGBM (ONNX via onnxmltools, same 1e-5 parity gate) as a candidate
  --without-balances       never read the balance columns (blanked on replay; the manifest's
                           input_fields leave them out); automatic when the data has none`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    data: { type: 'string' },
    out: { type: 'string' },
    version: { type: 'string' },
    'block-precision': { type: 'string' },
    'review-recall': { type: 'string' },
    'train-fraction': { type: 'string' },
    'validation-fraction': { type: 'string' },
    'max-depth': { type: 'string' },
    'learning-rate': { type: 'string' },
    rounds: { type: 'string' },
    'early-stopping': { type: 'string' },
    'min-child-weight': { type: 'string' },
    subsample: { type: 'string' },
    colsample: { type: 'string' },
    'scale-pos-weight': { type: 'string' },
    nthread: { type: 'string' },
    seed: { type: 'string' },
    'skip-invalid-rows': { type: 'boolean' },
    'without-balances': { type: 'boolean' },
    'cost-thresholds': { type: 'boolean' },
    'search-trials': { type: 'string' },
    'search-timeout': { type: 'string' },
    lightgbm: { type: 'boolean' },
    'evaluate-on': { type: 'string', multiple: true },
    'drop-features': { type: 'string' },
    'stream-fields': { type: 'string' },
    'review-cost': { type: 'string' },
    'wrong-block-cost': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const params: Partial<TrainingParams> = {};
  const set = <K extends keyof TrainingParams>(key: K, value: TrainingParams[K] | undefined): void => {
    if (value !== undefined) params[key] = value;
  };
  set('maxDepth', numberArg(a['max-depth'], 'max-depth'));
  set('learningRate', numberArg(a['learning-rate'], 'learning-rate'));
  set('numBoostRound', numberArg(a.rounds, 'rounds'));
  set('earlyStoppingRounds', numberArg(a['early-stopping'], 'early-stopping'));
  set('minChildWeight', numberArg(a['min-child-weight'], 'min-child-weight'));
  set('subsample', numberArg(a.subsample, 'subsample'));
  set('colsampleBytree', numberArg(a.colsample, 'colsample'));
  set('nthread', numberArg(a.nthread, 'nthread'));
  set('seed', numberArg(a.seed, 'seed'));
  const spw = a['scale-pos-weight'];
  if (spw !== undefined) {
    if (spw === 'sqrt' || spw === 'ratio') params.scalePosWeight = spw;
    else params.scalePosWeight = numberArg(spw, 'scale-pos-weight')!;
  }
  const train = numberArg(a['train-fraction'], 'train-fraction') ?? DEFAULT_SPLIT.train;
  const validation = numberArg(a['validation-fraction'], 'validation-fraction') ?? DEFAULT_SPLIT.validation;
  const blockPrecision =
    numberArg(a['block-precision'], 'block-precision') ?? DEFAULT_THRESHOLD_POLICY.blockPrecisionTarget;
  const reviewRecall =
    numberArg(a['review-recall'], 'review-recall') ?? DEFAULT_THRESHOLD_POLICY.reviewRecallTarget;
  for (const [name, v] of [
    ['block-precision', blockPrecision],
    ['review-recall', reviewRecall],
  ] as const) {
    if (!(v > 0 && v <= 1)) throw new UsageError(`--${name} must be in (0, 1], got ${v}`);
  }

  const reviewCost = numberArg(a['review-cost'], 'review-cost');
  const wrongBlockCost = numberArg(a['wrong-block-cost'], 'wrong-block-cost');
  for (const [name, v] of [
    ['review-cost', reviewCost],
    ['wrong-block-cost', wrongBlockCost],
  ] as const) {
    if (v !== undefined && !(v >= 0)) throw new UsageError(`--${name} must be >= 0, got ${v}`);
  }
  // The cost model always feeds the report's cost curve; --cost-thresholds also lets it pick the thresholds.
  const costModel = {
    reviewCostMinor: Math.round((reviewCost ?? DEFAULT_COST_MODEL.reviewCostMinor / 100) * 100),
    wrongBlockCostMinor: Math.round((wrongBlockCost ?? DEFAULT_COST_MODEL.wrongBlockCostMinor / 100) * 100),
  };
  const trials = numberArg(a['search-trials'], 'search-trials') ?? 0;
  const searchTimeout = numberArg(a['search-timeout'], 'search-timeout') ?? 600;
  if (!(Number.isInteger(trials) && trials >= 0))
    throw new UsageError(`--search-trials must be an integer >= 0`);
  if (!(searchTimeout > 0)) throw new UsageError(`--search-timeout must be > 0`);
  const display = trainProgressDisplay();
  const started = Date.now();
  try {
    const result = await trainModel({
      dataPath: requireArg(a.data, 'data'),
      outDir: requireArg(a.out, 'out'),
      ...(a.version !== undefined ? { version: a.version } : {}),
      params,
      split: { train, validation },
      thresholdPolicy: { blockPrecisionTarget: blockPrecision, reviewRecallTarget: reviewRecall },
      skipInvalidRows: a['skip-invalid-rows'] ?? false,
      withoutBalances: a['without-balances'] ?? false,
      search: { trials, timeoutSeconds: searchTimeout },
      lightgbm: a.lightgbm ?? false,
      evaluateOn: a['evaluate-on'] ?? [],
      ...(a['stream-fields'] !== undefined
        ? {
            streamFields: a['stream-fields']
              .split(',')
              .map((f) => f.trim())
              .filter(Boolean),
          }
        : {}),
      dropFeatures: (a['drop-features'] ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
      ...(a['cost-thresholds'] ? { costModel } : { reportCostModel: costModel }),
      onProgress: (p) => display.update(p),
    });
    display.stop();
    process.stdout.write(`${summaryTable(result, Date.now() - started)}\n`);
  } finally {
    display.stop();
  }
});
