export {
  DATASET_FILES,
  DATASET_SCHEMA_VERSION,
  FIXED_COLUMNS,
  LABEL_AUDIT_COLUMNS,
  MATURED_LABEL_SOURCE,
  csvCell,
  featureCell,
  parseFeatureCell,
  type DatasetRow,
  type LabelAuditRow,
  type LabelStatus,
} from './format.ts';
export {
  DATASET_ID_PATTERN,
  DatasetError,
  DatasetRefusedError,
  validateDatasetManifest,
  type DatasetManifest,
} from './manifest.ts';
export { LabelBook, resolveLabel, type LabelEvent, type ResolvedLabel } from './labels.ts';
export { isFeatureDatasetDir, readFeatureDataset, type LoadedDataset } from './reader.ts';
export { writeFeatureDataset, type DatasetDescription, type WrittenDataset } from './writer.ts';
