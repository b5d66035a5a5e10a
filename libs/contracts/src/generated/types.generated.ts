// GENERATED FILE: do not edit by hand.
// Source: schemas/{fraud-alert.avsc,fraud-decision.avsc,fraud-label.avsc,transaction.avsc}; regenerate with `npm run gen:contracts`.

export type TransactionType = 'PAYMENT' | 'TRANSFER' | 'CASH_OUT' | 'CASH_IN' | 'DEBIT';
export const TransactionTypeValues = ['PAYMENT', 'TRANSFER', 'CASH_OUT', 'CASH_IN', 'DEBIT'] as const;

export type Decision = 'ALLOW' | 'REVIEW' | 'BLOCK';
export const DecisionValues = ['ALLOW', 'REVIEW', 'BLOCK'] as const;

export interface Thresholds {
  review: number;
  block: number;
}

export interface ReasonCode {
  feature: string;
  value: null | number;
  contribution: number;
}

/** A flagged (REVIEW or BLOCK) transaction for fraud operations. Topic fraud_alerts, key = transactionId. */
export interface FraudAlert {
  transactionId: string;
  originAccountId: string;
  destinationAccountId: string;
  transactionType: TransactionType;
  amountMinor: number;
  currency: string;
  score: number;
  decision: Decision;
  thresholds: Thresholds;
  modelVersion: string;
  reasonCodes: ReasonCode[];
  eventTime: number;
  scoredAt: number;
}

/** The exact model input this decision used (feature logging for retraining). The model version is modelVersion, the event time eventTime. */
export interface LoggedFeatures {
  /** First 16 hex digits of the feature-set fingerprint (sha256) the vector was computed with. */
  featureSetFingerprint: string;
  /** The float32 row given to the model, in the manifest's feature_names order; NaN = missing. */
  values: number[];
}

/** The scorer's decision for one transaction. Topic fraud.decisions (every transaction), key = transactionId. */
export interface FraudDecision {
  transactionId: string;
  originAccountId: string;
  destinationAccountId: string;
  transactionType: TransactionType;
  amountMinor: number;
  currency: string;
  /** Champion model probability of fraud, 0..1. */
  score: number;
  decision: Decision;
  thresholds: Thresholds;
  modelVersion: string;
  /** Top features behind the score; filled for flagged transactions. */
  reasonCodes: ReasonCode[];
  eventTime: number;
  scoredAt: number;
  /** Shadow model, when one runs; it never decides. */
  challengerModelVersion: null | string;
  challengerScore: null | number;
  /** Logged feature vector; null when feature logging is off (SCORER_FEATURE_LOG=off) or for records written before it existed. */
  features: null | LoggedFeatures;
}

/** Confirmed outcome of a transaction. Topic fraud.labels, key = transactionId. */
export interface FraudLabel {
  transactionId: string;
  isFraud: boolean;
  /** Who confirmed it: chargeback, analyst, customer, simulator. */
  source: string;
  labeledAt: number;
}

/** A payment as the core banking system reports it. Topic payments.transactions, key = originAccountId. Money is in minor units of `currency` (cents for a 2-decimal currency). */
export interface Transaction {
  /** Globally unique; the idempotency key everywhere. */
  transactionId: string;
  /** When the payment happened (event time, not processing time). */
  eventTime: number;
  type: TransactionType;
  /** Amount in minor units, >= 0 (zero-value authorisations are valid). */
  amountMinor: number;
  /** ISO 4217 code, e.g. USD. */
  currency: string;
  originAccountId: string;
  destinationAccountId: string;
  /** e.g. MOBILE_APP, WEB, AGENT, ATM, POS, API. */
  channel: null | string;
  deviceId: null | string;
  /** ISO 3166-1 alpha-2 of where the payment was made. */
  countryCode: null | string;
  /** ISO 18245 merchant category code. */
  merchantCategory: null | string;
  /** Ledger balance of the origin before the payment (PaySim oldbalanceOrg); null = unknown. */
  originBalanceBeforeMinor: null | number;
  /** PaySim newbalanceOrig; null = unknown. */
  originBalanceAfterMinor: null | number;
  /** PaySim oldbalanceDest; null = unknown. */
  destinationBalanceBeforeMinor: null | number;
  /** PaySim newbalanceDest; null = unknown. */
  destinationBalanceAfterMinor: null | number;
}
