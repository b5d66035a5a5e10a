import { describe, expect, it } from 'vitest';
import type { FraudDecision } from '@fraud/contracts';
import { LiveQuality } from './live-quality.ts';
import { liveQualityRegistry } from './quality-metrics.ts';

const decision = (id: string, score: number, challengerScore: number | null): FraudDecision => ({
  transactionId: id,
  originAccountId: 'C1',
  destinationAccountId: 'C2',
  transactionType: 'TRANSFER',
  amountMinor: 1,
  currency: 'USD',
  score,
  decision: score >= 0.9 ? 'BLOCK' : score >= 0.5 ? 'REVIEW' : 'ALLOW',
  thresholds: { review: 0.5, block: 0.9 },
  modelVersion: 'champ',
  reasonCodes: [],
  eventTime: 1,
  scoredAt: 2,
  challengerModelVersion: challengerScore === null ? null : 'chal',
  challengerScore,
  features: null,
});
const label = (id: string, isFraud: boolean, labeledAt = 10) => ({
  transactionId: id,
  isFraud,
  source: 'analyst',
  labeledAt,
});

describe('LiveQuality', () => {
  it('joins decisions with last-verdict labels per model and threshold, champion and challenger', async () => {
    const q = new LiveQuality(100, (v) => (v === 'chal' ? { review: 0.3, block: 0.8 } : undefined));
    q.addDecision(decision('a', 0.95, 0.85)); // fraud: both block
    q.addDecision(decision('b', 0.6, 0.1)); // legit: champion reviews (fp), challenger passes
    q.addDecision(decision('c', 0.2, 0.4)); // fraud: champion misses, challenger reviews
    q.addDecision(decision('d', 0.1, null)); // unlabelled
    q.addLabel(label('a', true));
    q.addLabel(label('b', true, 10));
    q.addLabel(label('b', false, 20)); // corrected
    q.addLabel(label('c', true));
    q.addLabel(label('c', false, 5)); // older: ignored
    const rows = Object.fromEntries(q.snapshot().map((r) => [`${r.role}:${r.level}`, r]));
    expect(rows['champion:review']).toMatchObject({
      labelled: 3,
      frauds: 2,
      tp: 1,
      fp: 1,
      fn: 1,
      precision: 0.5,
      recall: 0.5,
    });
    expect(rows['champion:block']).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
    expect(rows['challenger:review']).toMatchObject({ modelVersion: 'chal', tp: 2, fp: 0, fn: 0, recall: 1 });

    const text = await liveQualityRegistry(q).metrics();
    expect(text).toContain('fraud_live_precision{model_version="champ",role="champion",level="review"} 0.5');
    expect(text).toContain('fraud_live_recall{model_version="chal",role="challenger",level="review"} 1');
    expect(text).toContain('fraud_live_labelled_frauds{model_version="champ",role="champion"} 2');
  });

  it('stays bounded: the oldest decisions are forgotten first', () => {
    const q = new LiveQuality(2);
    for (const id of ['a', 'b', 'c']) {
      q.addDecision(decision(id, 0.95, null));
      q.addLabel(label(id, true));
    }
    expect(q.snapshot().find((r) => r.level === 'review')?.labelled).toBe(2);
  });
});
