// Prints the closing `N passed, N failed[, N skipped]` line from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed (no test report was written)');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A file that failed without a failing test (it did not load, or its beforeAll threw and its
// tests were skipped) counts as one failure.
const failedSuites = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed'),
).length;
const failed = report.numFailedTests + failedSuites;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || report.numTotalTests === 0 ? 1 : 0);
