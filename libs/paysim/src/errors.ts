/**
 * Base of every import failure: names the 1-based physical line of the file (the header is
 * line 1) and the field (a PaySim column, a JSON property, or `header`/`file`).
 */
export abstract class PaysimImportError extends Error {
  abstract readonly reason: string;
  constructor(
    readonly line: number,
    readonly field: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`line ${line}, field ${field}: ${detail}`, options);
  }
}

/** The file as a whole is unusable (empty, or a header that is not PaySim's): never skippable. */
export class PaysimHeaderError extends PaysimImportError {
  readonly reason = 'header';
  constructor(line: number, field: string, detail: string, options?: ErrorOptions) {
    super(line, field, detail, options);
    this.name = 'PaysimHeaderError';
  }
}

export type RowErrorReason =
  'column_count' | 'invalid_value' | 'unknown_type' | 'csv_syntax' | 'invalid_json';

/**
 * One data line is unusable. Readers throw it, or with `onInvalidRow` report it and go on, so a
 * trainer can skip and count bad rows (`reason` is a stable label to count by).
 */
export class PaysimRowError extends PaysimImportError {
  constructor(
    line: number,
    field: string,
    readonly reason: RowErrorReason,
    detail: string,
    /** 0-based data-row index, when the line got far enough to have one. */
    readonly row: number | undefined,
    options?: ErrorOptions,
  ) {
    super(line, field, detail, options);
    this.name = 'PaysimRowError';
  }
}

/** Reader option shared by the CSV and JSON-lines readers. */
export interface InvalidRowOptions {
  /**
   * Called for each bad data line, which is then skipped. Without it the reader throws the
   * PaysimRowError instead.
   */
  onInvalidRow?: (error: PaysimRowError) => void;
}
