import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The Terraform offline checks (fmt -check, tflint, trivy with zero HIGH/CRITICAL findings) as a
// test, so they count in the summary. scripts/test.sh has already built the tools, so this runs
// warm; on a machine without them it builds them first, hence the long timeout.
describe('terraform/', () => {
  it('passes fmt -check, tflint and trivy config', () => {
    const script = path.resolve(import.meta.dirname, '../scripts/tf-check.sh');
    const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 1_800_000 });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  }, 1_900_000);
});
