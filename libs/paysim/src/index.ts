export {
  DEFAULT_CURRENCY,
  DEFAULT_START_TIME_MS,
  FLAGGED_TRANSFER_THRESHOLD_MINOR,
  PAYSIM_COLUMNS,
  PAYSIM_HEADER,
  STEP_MS,
  isFlaggedByPaysimRule,
  type ImportedRow,
  type LabeledTransaction,
  type PaysimColumn,
} from './format.ts';
export {
  PaysimHeaderError,
  PaysimImportError,
  PaysimRowError,
  type InvalidRowOptions,
  type RowErrorReason,
} from './errors.ts';
export {
  DEFAULT_ID_PREFIX,
  DEFAULT_WITHIN_STEP_SPACING_MS,
  eventTimeOf,
  stepOf,
  transactionIdOf,
  type TimeMappingOptions,
} from './time-mapping.ts';
export { readPaysimCsv, readPaysimCsvFile, type CsvSource, type PaysimCsvOptions } from './csv-reader.ts';
export { formatMinor, formatPaysimRow, writePaysimCsv, type PaysimCsvWriterOptions } from './csv-writer.ts';
export {
  formatTransactionJsonl,
  parseTransactionJson,
  readTransactionsJsonl,
  readTransactionsJsonlFile,
  type JsonlRow,
} from './jsonl.ts';
