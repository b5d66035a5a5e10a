/** Default topic names; deployments may override each through config. */
export const TOPICS = {
  transactions: 'payments.transactions',
  transactionsDlq: 'payments.transactions.dlq',
  decisions: 'fraud.decisions',
  alerts: 'fraud_alerts',
  labels: 'fraud.labels',
} as const;

/** Subjects follow the TopicNameStrategy: `<topic>-value`. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
