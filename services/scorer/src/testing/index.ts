/**
 * The scorer's integration-test harness, for tests in other packages that need a real scorer
 * (`@fraud/scorer/testing`): scorer processes, unique topics, producers and read_committed readers.
 * Test code only: services never import each other's production code.
 */
export * from './harness.ts';
export { makeTransactions } from './transactions.ts';
