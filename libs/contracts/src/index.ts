export * from './generated/types.generated.ts';
export { TOPICS, valueSubject } from './topics.ts';
export { contractType, schemaText, type ContractName } from './schemas.ts';
export {
  ContractError,
  DecodeError,
  RegistryUnavailableError,
  UnknownSchemaError,
  ValidationError,
} from './errors.ts';
export { DEFAULT_MAX_FUTURE_SKEW_MS, validateTransaction } from './validate.ts';
export { ContractSerde, setSubjectCompatibility, type Compatibility, type Decoded } from './serde.ts';
export { isRegistryNotFound } from './registry-errors.ts';
export { fieldOfPath, parseFileValue, parseJsonFile, type FileErrorFactory } from './json-file.ts';
