import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the promtool checks (config, rules, and the alert unit tests in infra/prometheus/tests)
// inside the test suite, so the rule tests count in the summary like every other test.
describe('Prometheus rules', () => {
  it('pass promtool check config, check rules and test rules', () => {
    const script = path.resolve(import.meta.dirname, '../../scripts/prometheus-check.sh');
    const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr + result.stdout).toContain('SUCCESS');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});
