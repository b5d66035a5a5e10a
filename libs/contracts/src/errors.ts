/** Base class for every way a message can be unusable; `reason` is a stable, low-cardinality label. */
export abstract class ContractError extends Error {
  abstract readonly reason: string;
}

/** The bytes are not a Confluent-framed Avro record of a known schema. */
export class DecodeError extends ContractError {
  readonly reason = 'decode';
  constructor(
    message: string,
    readonly schemaId?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DecodeError';
  }
}

/** The frame names a schema id the registry does not know. */
export class UnknownSchemaError extends ContractError {
  readonly reason = 'unknown_schema';
  constructor(
    readonly schemaId: number,
    options?: ErrorOptions,
  ) {
    super(`schema id ${schemaId} is not in the registry`, options);
    this.name = 'UnknownSchemaError';
  }
}

/** The record decoded but a field breaks the contract's rules. */
export class ValidationError extends ContractError {
  readonly reason = 'invalid';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ValidationError';
  }
}

/** The schema registry did not answer (network, 5xx): retry; the record itself may be fine. */
export class RegistryUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryUnavailableError';
  }
}
