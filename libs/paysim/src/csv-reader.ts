import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CsvError, parse, type Info } from 'csv-parse';
import { PaysimHeaderError, PaysimRowError, type InvalidRowOptions } from './errors.ts';
import { DEFAULT_CURRENCY, PAYSIM_COLUMNS, type ImportedRow } from './format.ts';
import { mapPaysimRecord } from './row-mapping.ts';
import { DEFAULT_ID_PREFIX, StepClock, type TimeMappingOptions } from './time-mapping.ts';

export interface PaysimCsvOptions extends TimeMappingOptions, InvalidRowOptions {
  /** ISO 4217 code given to every amount (PaySim has none). @default 'USD' */
  currency?: string;
  /** transactionId = idPrefix + 0-based data-row index. @default 'ps-' */
  idPrefix?: string;
}

export type CsvSource = Readable | AsyncIterable<string | Buffer> | Iterable<string | Buffer>;

/** csv-parse puts the line on its errors as an untyped property. */
function lineOf(error: CsvError): number {
  return typeof error.lines === 'number' ? error.lines : 0;
}

function checkHeader(cells: string[], line: number): void {
  for (let i = 0; i < PAYSIM_COLUMNS.length; i += 1) {
    const expected = PAYSIM_COLUMNS[i]!;
    const got = cells[i];
    if (got === undefined)
      throw new PaysimHeaderError(line, expected, `header is missing column "${expected}"`);
    if (got.trim() !== expected) {
      const detail = cells.includes(expected)
        ? `header has "${got}" where column ${i + 1} must be "${expected}"`
        : `header is missing column "${expected}" (found "${got}" in its place)`;
      throw new PaysimHeaderError(line, expected, detail);
    }
  }
  if (cells.length > PAYSIM_COLUMNS.length) {
    throw new PaysimHeaderError(line, cells[PAYSIM_COLUMNS.length]!, 'header has a column PaySim does not');
  }
}

/**
 * Streams a PaySim CSV into Transactions in constant memory (one record in flight, whatever the
 * file size). Rows come back in file order; see time-mapping.ts for how step becomes eventTime.
 * A bad header or an empty file throws PaysimHeaderError; a bad data line throws PaysimRowError,
 * or is reported to `onInvalidRow` and skipped.
 */
export async function* readPaysimCsv(
  source: CsvSource,
  options: PaysimCsvOptions = {},
): AsyncGenerator<ImportedRow> {
  const mapping = {
    currency: options.currency ?? DEFAULT_CURRENCY,
    idPrefix: options.idPrefix ?? DEFAULT_ID_PREFIX,
  };
  const clock = new StepClock(options);
  const report = options.onInvalidRow;
  // The parser runs ahead of the consumer; skipped-line errors wait here so that they reach
  // `onInvalidRow` in line order with the other bad rows.
  const syntaxErrors: PaysimRowError[] = [];
  const reportSyntaxErrorsBefore = (line: number): void => {
    while (syntaxErrors.length > 0 && syntaxErrors[0]!.line < line) report?.(syntaxErrors.shift()!);
  };

  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true, // column-count errors are ours to name, with the missing column
    skip_empty_lines: true,
    // A quoting error leaves the rest of the line unparseable: report it and resume at the next line.
    skip_records_with_error: report !== undefined,
    on_skip: (error) => {
      if (error)
        syntaxErrors.push(new PaysimRowError(lineOf(error), 'line', 'csv_syntax', error.message, undefined));
      return undefined;
    },
  });
  const input = source instanceof Readable ? source : Readable.from(source);
  input.once('error', (error) => parser.destroy(error));
  input.pipe(parser);

  let sawHeader = false;
  let row = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const line = item.info.lines;
      reportSyntaxErrorsBefore(line);
      if (!sawHeader) {
        checkHeader(item.record, line);
        sawHeader = true;
        continue;
      }
      const index = row;
      row += 1;
      try {
        yield mapPaysimRecord(item.record, line, index, clock, mapping);
      } catch (error) {
        if (!(error instanceof PaysimRowError) || !report) throw error;
        report(error);
      }
    }
    reportSyntaxErrorsBefore(Number.POSITIVE_INFINITY);
  } catch (error) {
    if (error instanceof CsvError) {
      throw new PaysimRowError(lineOf(error), 'line', 'csv_syntax', error.message, undefined, {
        cause: error,
      });
    }
    throw error;
  } finally {
    input.unpipe(parser);
    if (!input.destroyed) input.destroy();
    if (!parser.destroyed) parser.destroy();
  }
  if (!sawHeader) throw new PaysimHeaderError(1, 'header', 'file is empty: expected the PaySim header');
}

/** readPaysimCsv over a file path. */
export function readPaysimCsvFile(path: string, options: PaysimCsvOptions = {}): AsyncGenerator<ImportedRow> {
  return readPaysimCsv(createReadStream(path, { highWaterMark: 1 << 20 }), options);
}
