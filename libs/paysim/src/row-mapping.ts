import type { Transaction, TransactionType } from '@fraud/contracts';
import { PaysimRowError } from './errors.ts';
import { PAYSIM_COLUMNS, PAYSIM_TYPES, type ImportedRow, type PaysimColumn } from './format.ts';
import type { StepClock } from './time-mapping.ts';
import { transactionIdOf } from './time-mapping.ts';

// Plain decimal, optionally signed or in exponent form (PaySim prints balances like 1.0E7).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface RowMappingOptions {
  currency: string;
  idPrefix: string;
}

/** Index of each column, so the mapper reads cells by name without a per-row object. */
const COL = Object.fromEntries(PAYSIM_COLUMNS.map((name, i) => [name, i])) as Record<PaysimColumn, number>;

/**
 * Maps one CSV record (already split into cells) to a Transaction. Throws PaysimRowError naming
 * the line and the first bad field.
 */
export function mapPaysimRecord(
  cells: string[],
  line: number,
  row: number,
  clock: StepClock,
  options: RowMappingOptions,
): ImportedRow {
  if (cells.length !== PAYSIM_COLUMNS.length) {
    const field = cells.length < PAYSIM_COLUMNS.length ? PAYSIM_COLUMNS[cells.length]! : 'columnCount';
    throw new PaysimRowError(
      line,
      field,
      'column_count',
      `expected ${PAYSIM_COLUMNS.length} columns, got ${cells.length}`,
      row,
    );
  }
  const cell = (name: PaysimColumn): string => cells[COL[name]]!;
  const fail = (name: PaysimColumn, reason: 'invalid_value' | 'unknown_type', detail: string) =>
    new PaysimRowError(line, name, reason, detail, row);

  const stepText = cell('step');
  const step = Number(stepText);
  if (!/^\d+$/.test(stepText) || step < 1)
    throw fail('step', 'invalid_value', `"${stepText}" is not a step >= 1`);
  // Taken before the other checks so a skipped row still holds its slot in the step's timeline.
  const eventTime = clock.next(step);

  const type = cell('type');
  if (!PAYSIM_TYPES.has(type)) throw fail('type', 'unknown_type', `unknown transaction type "${type}"`);

  const amountText = cell('amount');
  if (!DECIMAL.test(amountText)) throw fail('amount', 'invalid_value', `"${amountText}" is not a number`);
  const amountMinor = Math.round(Number(amountText) * 100);
  if (amountMinor < 0) throw fail('amount', 'invalid_value', `${amountText} is negative`);
  // 0.00 is valid: the public dataset has 16 frauds with amount 0, and dropping them would hide
  // exactly the rows the model must learn to catch.

  const nameOrig = cell('nameOrig');
  if (nameOrig === '') throw fail('nameOrig', 'invalid_value', 'is empty');
  const nameDest = cell('nameDest');
  if (nameDest === '') throw fail('nameDest', 'invalid_value', 'is empty');

  const balance = (name: PaysimColumn): number | null => {
    const text = cells[COL[name]]!;
    if (text === '') return null; // unknown, as the schema's null means
    if (!DECIMAL.test(text)) throw fail(name, 'invalid_value', `"${text}" is not a number`);
    return Math.round(Number(text) * 100);
  };
  const originBalanceBeforeMinor = balance('oldbalanceOrg');
  const originBalanceAfterMinor = balance('newbalanceOrig');
  const destinationBalanceBeforeMinor = balance('oldbalanceDest');
  const destinationBalanceAfterMinor = balance('newbalanceDest');

  const flag = (name: 'isFraud' | 'isFlaggedFraud'): boolean => {
    const text = cell(name);
    if (text === '1') return true;
    if (text === '0') return false;
    throw fail(name, 'invalid_value', `"${text}" is not 0 or 1`);
  };
  const isFraud = flag('isFraud');
  const isFlaggedFraud = flag('isFlaggedFraud');

  const tx: Transaction = {
    transactionId: transactionIdOf(row, options.idPrefix),
    eventTime,
    type: type as TransactionType,
    amountMinor,
    currency: options.currency,
    originAccountId: nameOrig,
    destinationAccountId: nameDest,
    channel: null,
    deviceId: null,
    countryCode: null,
    merchantCategory: null,
    originBalanceBeforeMinor,
    originBalanceAfterMinor,
    destinationBalanceBeforeMinor,
    destinationBalanceAfterMinor,
  };
  return { tx, isFraud, row, step, isFlaggedFraud };
}
