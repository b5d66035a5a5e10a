import { describe, expect, it } from 'vitest';
import type { FraudDecision } from '@fraud/contracts';
import { DatasetRefusedError, LabelBook } from '@fraud/datasets';
import { DecisionCollector, joinDataset, type JoinOptions } from './dataset-join.ts';

const FP = 'ab'.repeat(32);
const decision = (id: string, eventTime: number, over: Partial<FraudDecision> = {}): FraudDecision => ({
  transactionId: id,
  originAccountId: 'C1',
  destinationAccountId: 'C2',
  transactionType: 'TRANSFER',
  amountMinor: 100,
  currency: 'USD',
  score: 0.1,
  decision: 'ALLOW',
  thresholds: { review: 0.5, block: 0.9 },
  modelVersion: 'm1',
  reasonCodes: [],
  eventTime,
  scoredAt: eventTime + 5,
  challengerModelVersion: null,
  challengerScore: null,
  features: { featureSetFingerprint: FP.slice(0, 16), values: [1, 2] },
  ...over,
});
const options = (over: Partial<JoinOptions> = {}): JoinOptions => ({
  fromMs: 1_000,
  toMs: 10_000,
  asOfMs: 100_000,
  maturityMs: 50_000,
  minFrauds: 1,
  featureSet: { fingerprint: FP, version: '1', featureNames: ['a', 'b'] },
  topics: { decisions: 'd', labels: 'l' },
  ...over,
});
const label = (book: LabelBook, id: string, isFraud: boolean, at: number, offset = '0') =>
  book.add({ transactionId: id, isFraud, source: 'analyst', labeledAtMs: at, partition: 0, offset });

describe('joinDataset', () => {
  it('joins labels point in time, applies maturity, and counts every exclusion', () => {
    const c = new DecisionCollector(1_000, 10_000);
    c.add(decision('fraud', 2_000));
    c.add(decision('fraud', 2_000)); // redelivered: the first is kept
    c.add(decision('legit', 3_000));
    c.add(decision('quiet-old', 4_000)); // no label, older than the window at as-of: matured legit
    c.add(decision('no-vector', 5_000, { features: null }));
    c.add(
      decision('other-code', 6_000, {
        features: { featureSetFingerprint: 'ffffffffffffffff', values: [1, 2] },
      }),
    );
    c.add(decision('outside', 20_000));
    const book = new LabelBook();
    label(book, 'fraud', false, 5_000);
    label(book, 'fraud', true, 6_000, '1'); // corrected to fraud
    label(book, 'legit', false, 7_000);
    label(book, 'legit', true, 200_000, '2'); // after as-of: not yet
    label(book, 'never-decided', true, 8_000);
    const { rows, audit, description } = joinDataset(c, book, options());
    expect(rows.map((r) => [r.transactionId, r.label, r.labelSource])).toEqual([
      ['fraud', 1, 'analyst'],
      ['legit', 0, 'analyst'],
      ['quiet-old', 0, 'matured'],
    ]);
    expect(description.excluded).toEqual({
      immature_unlabelled: 0,
      without_features: 1,
      other_feature_set: 1,
      duplicate_decisions: 1,
    });
    expect(description.labels).toEqual({ events: 5, after_as_of: 1, corrected: 1, unknown_transactions: 1 });
    expect(audit.map((a) => `${a.transactionId}:${a.status}`).sort()).toEqual([
      'fraud:effective',
      'fraud:superseded',
      'legit:after_as_of',
      'legit:effective',
      'never-decided:unknown_transaction',
    ]);
  });

  it('leaves out unlabelled transactions younger than the maturity window', () => {
    const c = new DecisionCollector(0, 10_000);
    c.add(decision('f', 1_000));
    c.add(decision('young', 9_000));
    const book = new LabelBook();
    label(book, 'f', true, 2_000);
    label(book, 'l', false, 2_000);
    c.add(decision('l', 1_500));
    const { rows, description } = joinDataset(
      c,
      book,
      options({ fromMs: 0, asOfMs: 10_000, maturityMs: 5_000 }),
    );
    expect(rows.map((r) => r.transactionId)).toEqual(['f', 'l']);
    expect(description.excluded.immature_unlabelled).toBe(1);
  });

  it('refuses too few frauds with a message naming the counts', () => {
    const c = new DecisionCollector(0, 10_000);
    c.add(decision('a', 1_000));
    c.add(decision('b', 2_000));
    const book = new LabelBook();
    label(book, 'a', true, 3_000);
    label(book, 'b', false, 3_000);
    const run = () => joinDataset(c, book, options({ fromMs: 0, minFrauds: 5 }));
    expect(run).toThrow(DatasetRefusedError);
    expect(run).toThrow(/1 fraud and 1 legitimate rows.*at least 5 frauds/);
  });
});
