import type { FraudDecision, FraudLabel } from '@fraud/contracts';
import type { LabelBook } from '@fraud/datasets';
import {
  DatasetRefusedError,
  resolveLabel,
  type DatasetDescription,
  type DatasetRow,
  type LabelAuditRow,
} from '@fraud/datasets';

/** What the dataset builder keeps of a decision (the vector as float32, not a JS array). */
export interface LoggedDecision {
  transactionId: string;
  eventTimeMs: number;
  modelVersion: string;
  score: number;
  challengerModelVersion: string | null;
  challengerScore: number | null;
  /** Prefix of the feature-set fingerprint the vector was computed with; null = not logged. */
  fingerprint: string | null;
  values: Float32Array | null;
}

/**
 * Collects decisions as they are read: every id (to tell labels of unknown transactions apart)
 * and the decisions whose event time falls in the window. A transaction id seen twice (a
 * redelivery written twice) keeps its first decision.
 */
export class DecisionCollector {
  readonly ids = new Set<string>();
  readonly inWindow = new Map<string, LoggedDecision>();
  read = 0;
  duplicates = 0;

  constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {}

  add(d: FraudDecision): void {
    this.read += 1;
    if (this.ids.has(d.transactionId)) {
      this.duplicates += 1;
      return;
    }
    this.ids.add(d.transactionId);
    if (d.eventTime < this.fromMs || d.eventTime >= this.toMs) return;
    this.inWindow.set(d.transactionId, {
      transactionId: d.transactionId,
      eventTimeMs: d.eventTime,
      modelVersion: d.modelVersion,
      score: d.score,
      challengerModelVersion: d.challengerModelVersion,
      challengerScore: d.challengerScore,
      fingerprint: d.features?.featureSetFingerprint ?? null,
      values: d.features ? Float32Array.from(d.features.values) : null,
    });
  }
}

/** Adds a FraudLabel read at (partition, offset) to the book. */
export function addLabel(book: LabelBook, label: FraudLabel, partition: number, offset: string): void {
  book.add({
    transactionId: label.transactionId,
    isFraud: label.isFraud,
    source: label.source,
    labeledAtMs: label.labeledAt,
    partition,
    offset,
  });
}

export interface JoinOptions {
  fromMs: number;
  toMs: number;
  /** Labels count when labelled at or before this instant. */
  asOfMs: number;
  maturityMs: number;
  /** Refuse a dataset with fewer fraud rows. */
  minFrauds: number;
  featureSet: { fingerprint: string; version: string; featureNames: readonly string[] };
  topics: { decisions: string; labels: string };
}

export interface JoinResult {
  rows: DatasetRow[];
  audit: LabelAuditRow[];
  description: DatasetDescription;
}

/**
 * Point-in-time join of logged feature vectors with labels: each decision in [from, to) gets its
 * last verdict known at `asOf`, or "legitimate" once it is older than the maturity window, or is
 * left out (its outcome is not known yet). Vectors of other feature code and decisions without a
 * vector are left out and counted. Fewer than `minFrauds` fraud rows: DatasetRefusedError.
 */
export function joinDataset(collector: DecisionCollector, book: LabelBook, options: JoinOptions): JoinResult {
  const fingerprintPrefix = (fp: string): string => options.featureSet.fingerprint.slice(0, fp.length);
  const rows: DatasetRow[] = [];
  const audit: LabelAuditRow[] = [];
  let immature = 0;
  let withoutFeatures = 0;
  let otherFeatureSet = 0;
  let corrected = 0;
  let frauds = 0;
  let matured = 0;
  for (const d of collector.inWindow.values()) {
    if (!d.values || d.fingerprint === null) {
      withoutFeatures += 1;
      continue;
    }
    if (d.fingerprint.length < 8 || d.fingerprint !== fingerprintPrefix(d.fingerprint)) {
      otherFeatureSet += 1;
      continue;
    }
    const resolved = resolveLabel(book, d.transactionId, d.eventTimeMs, options.asOfMs, options.maturityMs);
    if (resolved.kind === 'immature') {
      immature += 1;
      continue;
    }
    if (resolved.kind === 'labelled') {
      if (resolved.corrected) corrected += 1;
      for (const e of book.eventsOf(d.transactionId)) {
        audit.push({
          transactionId: e.transactionId,
          isFraud: e.isFraud,
          source: e.source,
          labeledAtMs: e.labeledAtMs,
          partition: e.partition,
          offset: e.offset,
          status:
            e.labeledAtMs > options.asOfMs
              ? 'after_as_of'
              : e === resolved.event
                ? 'effective'
                : 'superseded',
        });
      }
    } else {
      matured += 1;
    }
    if (resolved.label === 1) frauds += 1;
    rows.push({
      transactionId: d.transactionId,
      eventTimeMs: d.eventTimeMs,
      modelVersion: d.modelVersion,
      label: resolved.label,
      labelSource: resolved.source,
      features: d.values,
    });
  }
  let unknown = 0;
  for (const id of book.transactionIds()) {
    if (collector.ids.has(id)) continue;
    unknown += 1;
    for (const e of book.eventsOf(id)) {
      audit.push({
        transactionId: e.transactionId,
        isFraud: e.isFraud,
        source: e.source,
        labeledAtMs: e.labeledAtMs,
        partition: e.partition,
        offset: e.offset,
        status: 'unknown_transaction',
      });
    }
  }
  const legitimate = rows.length - frauds;
  if (frauds < options.minFrauds || legitimate === 0) {
    throw new DatasetRefusedError(
      `refusing to build a dataset from [${new Date(options.fromMs).toISOString()}, ${new Date(options.toMs).toISOString()}): ` +
        `${frauds} fraud and ${legitimate} legitimate rows (${legitimate - matured} labelled, ${matured} matured); ` +
        `at least ${options.minFrauds} frauds and 1 legitimate row are needed ` +
        `(${immature} unlabelled rows are younger than the ${options.maturityMs} ms maturity window, ` +
        `${withoutFeatures} decisions carry no feature vector, ${otherFeatureSet} come from other feature code)`,
      { rows: rows.length, frauds, legitimate },
    );
  }
  return {
    rows,
    audit,
    description: {
      time_range: { from: new Date(options.fromMs).toISOString(), to: new Date(options.toMs).toISOString() },
      labels_as_of: new Date(options.asOfMs).toISOString(),
      maturity_ms: options.maturityMs,
      feature_set: {
        fingerprint: options.featureSet.fingerprint,
        version: options.featureSet.version,
        feature_names: [...options.featureSet.featureNames],
      },
      labels: {
        events: book.eventCount,
        after_as_of: book.countAfter(options.asOfMs),
        corrected,
        unknown_transactions: unknown,
      },
      excluded: {
        immature_unlabelled: immature,
        without_features: withoutFeatures,
        other_feature_set: otherFeatureSet,
        duplicate_decisions: collector.duplicates,
      },
      source: {
        decisions_topic: options.topics.decisions,
        labels_topic: options.topics.labels,
        decisions_read: collector.read,
      },
    },
  };
}
