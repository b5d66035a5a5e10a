import type { Transaction } from '@fraud/contracts';
import type { FeatureMatrix } from './matrix.ts';

export interface FeatureStore {
  /**
   * Applies the transactions in array order and returns their point-in-time features (row i = txs[i]).
   * Idempotent per transactionId: a transaction seen before returns exactly the features it got
   * the first time and changes no state.
   */
  applyBatch(txs: readonly Transaction[]): Promise<FeatureMatrix>;
}
