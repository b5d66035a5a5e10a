import type { Transaction, TransactionType } from '@fraud/contracts';

/** The PaySim CSV columns, in file order (the public Kaggle dataset's header, byte for byte). */
export const PAYSIM_COLUMNS = [
  'step',
  'type',
  'amount',
  'nameOrig',
  'oldbalanceOrg',
  'newbalanceOrig',
  'nameDest',
  'oldbalanceDest',
  'newbalanceDest',
  'isFraud',
  'isFlaggedFraud',
] as const;

export type PaysimColumn = (typeof PAYSIM_COLUMNS)[number];

export const PAYSIM_HEADER = PAYSIM_COLUMNS.join(',');

/** One PaySim step is one hour of simulated time. */
export const STEP_MS = 3_600_000;

/**
 * Where step 1 starts unless told otherwise. PaySim has no calendar; a fixed default keeps the
 * importer, the writer and the simulator in agreement and their output reproducible.
 */
export const DEFAULT_START_TIME_MS = Date.UTC(2025, 0, 1);

/** PaySim's currency is nominal; USD gives its 2-decimal amounts a valid ISO 4217 code. */
export const DEFAULT_CURRENCY = 'USD';

/** PaySim's isFlaggedFraud rule: a TRANSFER of more than 200,000 (major units) in one transaction. */
export const FLAGGED_TRANSFER_THRESHOLD_MINOR = 200_000 * 100;

export function isFlaggedByPaysimRule(tx: Pick<Transaction, 'type' | 'amountMinor'>): boolean {
  return tx.type === 'TRANSFER' && tx.amountMinor > FLAGGED_TRANSFER_THRESHOLD_MINOR;
}

/** A transaction with its ground truth: what the simulator yields and the readers return. */
export interface LabeledTransaction {
  tx: Transaction;
  isFraud: boolean;
}

/** One imported PaySim data row. */
export interface ImportedRow extends LabeledTransaction {
  /** 0-based index of the data row in the file (the header is not a row; skipped rows count). */
  row: number;
  /** The file's step (1-based hour index). */
  step: number;
  isFlaggedFraud: boolean;
}

export const PAYSIM_TYPES: ReadonlySet<string> = new Set<TransactionType>([
  'PAYMENT',
  'TRANSFER',
  'CASH_OUT',
  'CASH_IN',
  'DEBIT',
]);
