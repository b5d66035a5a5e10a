import type { SplitMetrics } from '@fraud/model';
import type { TrainResult } from '../train-pipeline.ts';

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, val]) => val.length));
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(v + 2)}+`;
  return [line, ...rows.map(([k, val]) => `| ${k.padEnd(w)} | ${val.padEnd(v)} |`), line].join('\n');
}

const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;

export function metricRows(prefix: string, m: SplitMetrics): [string, string][] {
  return [
    [`${prefix} rows / fraud`, `${m.rows} / ${m.positives}`],
    [`${prefix} PR-AUC`, f(m.pr_auc)],
    [`${prefix} ROC-AUC`, f(m.roc_auc)],
    [
      `${prefix} BLOCK precision / recall / F1`,
      `${f(m.block.precision)} / ${f(m.block.recall)} / ${f(m.block.f1)}`,
    ],
    [
      `${prefix} REVIEW+ precision / recall / F1`,
      `${f(m.review.precision)} / ${f(m.review.recall)} / ${f(m.review.f1)}`,
    ],
    [`${prefix} alert rate`, pct(m.alert_rate)],
    [
      `${prefix} confusion @review (tp fp tn fn)`,
      `${m.review.confusion.tp} ${m.review.confusion.fp} ${m.review.confusion.tn} ${m.review.confusion.fn}`,
    ],
  ];
}

/** The final table of `npm run train`. */
export function summaryTable(r: TrainResult, wallMs: number): string {
  const m = r.manifest;
  return table([
    ['version', r.version],
    ['model directory', r.modelDir],
    [
      'rows (train / validation / test)',
      `${m.training_data.splits.train.rows} / ${m.training_data.splits.validation.rows} / ${m.training_data.splits.test.rows}`,
    ],
    ['trees (best iteration)', `${m.training.num_trees} (${m.training.best_iteration})`],
    [
      'thresholds review / block',
      `${m.thresholds.review.toPrecision(5)} / ${m.thresholds.block.toPrecision(5)}`,
    ],
    ...metricRows('test', m.metrics.test),
    ['parity max |onnx - xgboost|', m.parity.max_abs_diff.toExponential(2)],
    [
      'time replay / train / verify / write',
      Object.values(r.timingsMs)
        .map((t) => `${(t / 1000).toFixed(1)}s`)
        .join(' / '),
    ],
    ['wall time', `${(wallMs / 1000).toFixed(1)}s`],
  ]);
}
