import type { FraudDecision, Thresholds } from '@fraud/contracts';

/** What the comparison needs of a decision (a subset of FraudDecision). */
export type ComparedDecision = Pick<
  FraudDecision,
  'transactionId' | 'score' | 'thresholds' | 'modelVersion' | 'challengerModelVersion' | 'challengerScore'
>;

export interface ThresholdReport {
  level: 'review' | 'block';
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** NaN when nothing was flagged. */
  precision: number;
  /** NaN when no labelled fraud. */
  recall: number;
  /** Share of labelled transactions flagged at this level. */
  flaggedRate: number;
}

export interface ModelReport {
  version: string;
  role: 'champion' | 'challenger';
  /** Undefined when the challenger's thresholds are unknown (no manifest found). */
  levels: ThresholdReport[] | undefined;
}

/** One champion/challenger pairing as it ran (a promotion starts a new pair). */
export interface PairReport {
  champion: string;
  challenger: string | null;
  decisions: number;
  labelled: number;
  frauds: number;
  champions: ModelReport;
  challengers: ModelReport | undefined;
  /** Labelled transactions where both flag or both pass at their review thresholds. */
  reviewAgreement: number;
}

export interface ComparisonReport {
  decisions: number;
  labels: number;
  pairs: PairReport[];
}

function levels(rows: { score: number; isFraud: boolean }[], thresholds: Thresholds): ThresholdReport[] {
  return (['review', 'block'] as const).map((level) => {
    const threshold = thresholds[level];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (const { score, isFraud } of rows) {
      // Same rule as the scorer's decide(): inclusive thresholds, a NaN score is flagged.
      const flagged = !(score < threshold);
      if (flagged && isFraud) tp++;
      else if (flagged) fp++;
      else if (isFraud) fn++;
      else tn++;
    }
    return {
      level,
      threshold,
      tp,
      fp,
      fn,
      tn,
      precision: tp + fp > 0 ? tp / (tp + fp) : Number.NaN,
      recall: tp + fn > 0 ? tp / (tp + fn) : Number.NaN,
      flaggedRate: rows.length > 0 ? (tp + fp) / rows.length : Number.NaN,
    };
  });
}

/**
 * Champion vs challenger precision/recall on labelled transactions, each model at ITS OWN
 * thresholds: the champion's travel on every decision; a challenger's come from its manifest
 * (`challengerThresholds(version)`), since the challenger never decides.
 */
export function compareModels(
  decisions: Iterable<ComparedDecision>,
  labels: ReadonlyMap<string, boolean>,
  challengerThresholds: (version: string) => Thresholds | undefined,
): ComparisonReport {
  const pairs = new Map<string, ComparedDecision[]>();
  let total = 0;
  for (const d of decisions) {
    total++;
    const key = `${d.modelVersion}\u0000${d.challengerModelVersion ?? ''}`;
    let list = pairs.get(key);
    if (!list) pairs.set(key, (list = []));
    list.push(d);
  }
  const reports: PairReport[] = [];
  for (const list of pairs.values()) {
    const first = list[0]!;
    const labelled = list.filter((d) => labels.has(d.transactionId));
    const champion = labelled.map((d) => ({ score: d.score, isFraud: labels.get(d.transactionId)! }));
    const challengerVersion = first.challengerModelVersion ?? null;
    const thresholds = challengerVersion === null ? undefined : challengerThresholds(challengerVersion);
    const challenger = labelled.map((d) => ({
      score: d.challengerScore ?? Number.NaN,
      isFraud: labels.get(d.transactionId)!,
    }));
    let agree = 0;
    if (thresholds) {
      labelled.forEach((d, i) => {
        if (!(d.score < d.thresholds.review) === !(challenger[i]!.score < thresholds.review)) agree++;
      });
    }
    reports.push({
      champion: first.modelVersion,
      challenger: challengerVersion,
      decisions: list.length,
      labelled: labelled.length,
      frauds: champion.filter((r) => r.isFraud).length,
      // Thresholds as the champion decided with them (the latest decision's, in case of a change).
      champions: {
        version: first.modelVersion,
        role: 'champion',
        levels: levels(champion, list[list.length - 1]!.thresholds),
      },
      challengers:
        challengerVersion === null
          ? undefined
          : {
              version: challengerVersion,
              role: 'challenger',
              levels: thresholds && levels(challenger, thresholds),
            },
      reviewAgreement: thresholds && labelled.length > 0 ? agree / labelled.length : Number.NaN,
    });
  }
  reports.sort((a, b) => b.decisions - a.decisions);
  return { decisions: total, labels: labels.size, pairs: reports };
}

const pct = (x: number) => (Number.isNaN(x) ? '     -' : `${(100 * x).toFixed(1).padStart(5)}%`);

/** A plain-text table of the report, one block per champion/challenger pair. */
export function formatComparison(report: ComparisonReport): string {
  const lines = [`${report.decisions} decisions, ${report.labels} labels`];
  if (report.pairs.length === 0) lines.push('no decisions read');
  for (const pair of report.pairs) {
    lines.push(
      '',
      `champion ${pair.champion}  challenger ${pair.challenger ?? '(none)'}: ${pair.decisions} decisions, ${pair.labelled} labelled, ${pair.frauds} fraud` +
        (Number.isNaN(pair.reviewAgreement) ? '' : `, review agreement ${pct(pair.reviewAgreement).trim()}`),
      `  ${'role'.padEnd(11)}${'version'.padEnd(28)}${'level'.padEnd(8)}${'threshold'.padStart(10)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'flagged'.padStart(9)}${'tp'.padStart(7)}${'fp'.padStart(7)}${'fn'.padStart(7)}`,
    );
    for (const model of [pair.champions, pair.challengers]) {
      if (!model) continue;
      if (!model.levels) {
        lines.push(
          `  ${model.role.padEnd(11)}${model.version.padEnd(28)}(thresholds unknown: no manifest for this version)`,
        );
        continue;
      }
      for (const l of model.levels) {
        lines.push(
          `  ${model.role.padEnd(11)}${model.version.padEnd(28)}${l.level.padEnd(8)}${l.threshold.toFixed(4).padStart(10)}${pct(l.precision).padStart(11)}${pct(l.recall).padStart(9)}${pct(l.flaggedRate).padStart(9)}${String(l.tp).padStart(7)}${String(l.fp).padStart(7)}${String(l.fn).padStart(7)}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
