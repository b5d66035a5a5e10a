import type { FraudDecision, FraudLabel, Thresholds } from '@fraud/contracts';

interface Scored {
  version: string;
  score: number;
  /** Undefined for a challenger whose manifest (thresholds) is unknown. */
  thresholds: Thresholds | undefined;
}

interface Joined {
  champion: Scored;
  challenger: Scored | undefined;
}

/** Precision and recall of one model at one of its thresholds, on labelled live traffic. */
export interface LiveQualityRow {
  modelVersion: string;
  role: 'champion' | 'challenger';
  level: 'review' | 'block';
  labelled: number;
  frauds: number;
  tp: number;
  fp: number;
  fn: number;
  /** NaN when the model flagged nothing labelled yet. */
  precision: number;
  /** NaN when no labelled fraud yet. */
  recall: number;
}

/**
 * Live model quality: decisions joined with labels as both stream in, per model (the champion
 * that decided and the challenger that shadowed) at each model's own REVIEW and BLOCK thresholds.
 * Bounded: only the most recent `maxTransactions` decisions (and as many labels) are kept.
 * A transaction's label is its last verdict (latest labeledAt), as in the datasets.
 */
export class LiveQuality {
  private readonly decisions = new Map<string, Joined>();
  private readonly labels = new Map<string, { isFraud: boolean; labeledAt: number }>();

  constructor(
    private readonly maxTransactions = 1_000_000,
    private readonly challengerThresholds: (version: string) => Thresholds | undefined = () => undefined,
  ) {}

  addDecision(d: FraudDecision): void {
    if (this.decisions.has(d.transactionId)) return; // a redelivery: the first decision stands
    this.decisions.set(d.transactionId, {
      champion: { version: d.modelVersion, score: d.score, thresholds: d.thresholds },
      challenger:
        d.challengerModelVersion !== null && d.challengerScore !== null
          ? {
              version: d.challengerModelVersion,
              score: d.challengerScore,
              thresholds: this.challengerThresholds(d.challengerModelVersion),
            }
          : undefined,
    });
    evictOldest(this.decisions, this.maxTransactions);
  }

  addLabel(l: FraudLabel): void {
    const known = this.labels.get(l.transactionId);
    if (known && known.labeledAt > l.labeledAt) return;
    this.labels.delete(l.transactionId); // re-insert: recency order for eviction
    this.labels.set(l.transactionId, { isFraud: l.isFraud, labeledAt: l.labeledAt });
    evictOldest(this.labels, this.maxTransactions);
  }

  snapshot(): LiveQualityRow[] {
    const rows = new Map<string, LiveQualityRow>();
    const count = (s: Scored, role: 'champion' | 'challenger', isFraud: boolean): void => {
      if (!s.thresholds) return;
      for (const level of ['review', 'block'] as const) {
        const key = `${s.version}|${role}|${level}`;
        let row = rows.get(key);
        if (!row) {
          row = {
            modelVersion: s.version,
            role,
            level,
            labelled: 0,
            frauds: 0,
            tp: 0,
            fp: 0,
            fn: 0,
            precision: NaN,
            recall: NaN,
          };
          rows.set(key, row);
        }
        // Same rule as decide(): inclusive thresholds, a NaN score is flagged.
        const flagged = !(s.score < s.thresholds[level]);
        row.labelled += 1;
        if (isFraud) row.frauds += 1;
        if (flagged && isFraud) row.tp += 1;
        else if (flagged) row.fp += 1;
        else if (isFraud) row.fn += 1;
      }
    };
    for (const [id, joined] of this.decisions) {
      const label = this.labels.get(id);
      if (!label) continue;
      count(joined.champion, 'champion', label.isFraud);
      if (joined.challenger) count(joined.challenger, 'challenger', label.isFraud);
    }
    for (const row of rows.values()) {
      row.precision = row.tp + row.fp > 0 ? row.tp / (row.tp + row.fp) : NaN;
      row.recall = row.tp + row.fn > 0 ? row.tp / (row.tp + row.fn) : NaN;
    }
    return [...rows.values()];
  }
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}
