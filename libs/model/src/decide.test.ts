import { describe, expect, it } from 'vitest';
import { decide } from './decide.ts';

describe('decide', () => {
  const t = { review: 0.2, block: 0.8 };
  it('maps scores to decisions with inclusive thresholds', () => {
    expect(decide(0.1, t)).toBe('ALLOW');
    expect(decide(0.2, t)).toBe('REVIEW');
    expect(decide(0.79, t)).toBe('REVIEW');
    expect(decide(0.8, t)).toBe('BLOCK');
    expect(decide(1, t)).toBe('BLOCK');
  });
  it('never silently allows an unscored row', () => {
    expect(decide(Number.NaN, t)).toBe('REVIEW');
  });
});
