import { describe, expect, it } from 'vitest';
import { LabelBook, resolveLabel, type LabelEvent } from './labels.ts';

const event = (over: Partial<LabelEvent>): LabelEvent => ({
  transactionId: 't1',
  isFraud: true,
  source: 'analyst',
  labeledAtMs: 1_000,
  partition: 0,
  offset: '0',
  ...over,
});

describe('LabelBook', () => {
  it('the last verdict wins and a changed verdict is reported as corrected; the audit keeps every event', () => {
    const book = new LabelBook();
    book.add(event({ isFraud: true, source: 'chargeback', labeledAtMs: 1_000, offset: '0' }));
    book.add(event({ isFraud: false, source: 'analyst', labeledAtMs: 2_000, offset: '1' }));
    expect(book.verdictAsOf('t1', 5_000)).toMatchObject({
      event: { isFraud: false, source: 'analyst' },
      corrected: true,
    });
    expect(book.eventsOf('t1')).toHaveLength(2);
    expect(book.eventCount).toBe(2);
  });

  it('is point in time: a verdict labelled after the instant does not count yet', () => {
    const book = new LabelBook();
    book.add(event({ isFraud: false, labeledAtMs: 1_000 }));
    book.add(event({ isFraud: true, labeledAtMs: 3_000, offset: '1' }));
    expect(book.verdictAsOf('t1', 2_000)).toMatchObject({ event: { isFraud: false }, corrected: false });
    expect(book.verdictAsOf('t1', 3_000)?.event.isFraud).toBe(true);
    expect(book.verdictAsOf('t1', 500)).toBeUndefined();
    expect(book.countAfter(2_000)).toBe(1);
  });

  it('a late label with an older labeledAt does not override a newer verdict; equal times go by arrival', () => {
    const book = new LabelBook();
    book.add(event({ isFraud: true, labeledAtMs: 2_000, offset: '0' }));
    book.add(event({ isFraud: false, labeledAtMs: 1_500, offset: '1' })); // arrives late, older
    expect(book.verdictAsOf('t1', 9_000)?.event.isFraud).toBe(true);
    book.add(event({ isFraud: false, labeledAtMs: 2_000, offset: '2' })); // same instant, later arrival
    expect(book.verdictAsOf('t1', 9_000)?.event.isFraud).toBe(false);
  });
});

describe('resolveLabel (maturity rule)', () => {
  const book = new LabelBook();
  book.add(event({ transactionId: 'fraud', isFraud: true, labeledAtMs: 5_000 }));

  it('uses the verdict when there is one', () => {
    expect(resolveLabel(book, 'fraud', 0, 10_000, 60_000)).toMatchObject({ kind: 'labelled', label: 1 });
  });

  it('an unlabelled transaction is legitimate only once older than the maturity window', () => {
    expect(resolveLabel(book, 'quiet', 0, 59_999, 60_000)).toEqual({ kind: 'immature' });
    expect(resolveLabel(book, 'quiet', 0, 60_000, 60_000)).toEqual({
      kind: 'matured',
      label: 0,
      source: 'matured',
    });
  });
});
