import { describe, expect, it } from 'vitest';
import { lastRetrainAt, retrainTrigger } from './triggers.ts';

const H = 3_600_000;
const base = { nowMs: 100 * H, lastRetrainAtMs: 99 * H, newLabels: 10, maxPsi: 0.05 };

describe('retrainTrigger', () => {
  it('fires on the first run, on drift, on new labels and on schedule; else not', () => {
    const policy = { maxAgeMs: 24 * H, minNewLabels: 1000, psiThreshold: 0.2 };
    expect(retrainTrigger(policy, { ...base, lastRetrainAtMs: undefined })?.trigger).toBe('first');
    expect(retrainTrigger(policy, { ...base, maxPsi: 0.3 })?.trigger).toBe('psi');
    expect(retrainTrigger(policy, { ...base, newLabels: 1000 })?.trigger).toBe('labels');
    expect(retrainTrigger(policy, { ...base, lastRetrainAtMs: 70 * H })?.trigger).toBe('schedule');
    expect(retrainTrigger(policy, base)).toBeUndefined();
  });

  it('ignores triggers that are not configured or not measured', () => {
    expect(retrainTrigger({}, { ...base, newLabels: 1e9, maxPsi: 9 })).toBeUndefined();
    expect(retrainTrigger({ psiThreshold: 0.1 }, { ...base, maxPsi: undefined })).toBeUndefined();
  });
});

describe('lastRetrainAt', () => {
  it('is the last challenger registered by a retrain', () => {
    expect(
      lastRetrainAt([
        { at: '2026-01-01T00:00:00Z', action: 'challenger', from: 'a', to: 'b', by: 'retrain' },
        { at: '2026-01-02T00:00:00Z', action: 'challenger', from: 'a', to: 'c', by: 'manual' },
      ]),
    ).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(lastRetrainAt([])).toBeUndefined();
  });
});
