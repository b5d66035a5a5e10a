import { describe, expect, it } from 'vitest';
import { exposedValue, parseExposition } from './exposition.ts';

describe('parseExposition', () => {
  it('reads families, types, labels (escapes included) and values', () => {
    const families = parseExposition(
      [
        '# HELP fraud_feature_psi PSI',
        '# TYPE fraud_feature_psi gauge',
        'fraud_feature_psi{feature="amount",model_version="v1"} 0.25',
        'fraud_feature_psi{feature="a \\"quoted\\" name",model_version="v1"} 0.5',
        '# TYPE fraud_latency_seconds histogram',
        'fraud_latency_seconds_bucket{le="+Inf"} 2',
        'fraud_latency_seconds_sum 0.1',
        'fraud_latency_seconds_count 2',
        'untyped_total 3',
        '',
      ].join('\n'),
    );
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['fraud_feature_psi', 'gauge'],
      ['fraud_latency_seconds', 'histogram'],
      ['untyped_total', 'untyped'],
    ]);
    expect(exposedValue(families, 'fraud_feature_psi', { feature: 'a "quoted" name' })).toBe(0.5);
    expect(exposedValue(families, 'fraud_feature_psi', { feature: 'amount', model_version: 'v1' })).toBe(
      0.25,
    );
    expect(exposedValue(families, 'fraud_feature_psi', { feature: 'missing' })).toBeUndefined();
    expect(exposedValue(families, 'untyped_total')).toBe(3);
  });
});
