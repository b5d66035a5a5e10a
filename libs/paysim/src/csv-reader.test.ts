import { describe, expect, it } from 'vitest';
import { PaysimHeaderError, PaysimRowError } from './errors.ts';
import { DEFAULT_START_TIME_MS, PAYSIM_HEADER, STEP_MS, type ImportedRow } from './format.ts';
import { readPaysimCsv, type PaysimCsvOptions } from './csv-reader.ts';

// The first rows of the public PaySim dataset, verbatim.
const PUBLIC_SAMPLE = [
  'step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud',
  '1,PAYMENT,9839.64,C1231006815,170136.0,160296.36,M1979787155,0.0,0.0,0,0',
  '1,PAYMENT,1864.28,C1666544295,21249.0,19384.72,M2044282225,0.0,0.0,0,0',
  '1,TRANSFER,181.0,C1305486145,181.0,0.0,C553264065,0.0,0.0,1,0',
  '1,CASH_OUT,181.0,C840083671,181.0,0.0,C38997010,21182.0,0.0,1,0',
].join('\n');

async function importAll(text: string, options: PaysimCsvOptions = {}): Promise<ImportedRow[]> {
  const rows: ImportedRow[] = [];
  for await (const row of readPaysimCsv([text], options)) rows.push(row);
  return rows;
}

async function importError(text: string): Promise<unknown> {
  return importAll(text).then(
    () => expect.unreachable('import should fail'),
    (error: unknown) => error,
  );
}

const HEADER = PAYSIM_HEADER;
const GOOD = '1,TRANSFER,181.00,C1,181.00,0.00,C2,0.00,181.00,1,0';

describe('readPaysimCsv', () => {
  it('knows the exact PaySim header', () => {
    expect(PAYSIM_HEADER).toBe(
      'step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud',
    );
  });

  it('maps the public dataset rows to Transactions', async () => {
    const rows = await importAll(PUBLIC_SAMPLE);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      row: 0,
      step: 1,
      isFraud: false,
      isFlaggedFraud: false,
      tx: {
        transactionId: 'ps-0',
        eventTime: DEFAULT_START_TIME_MS,
        type: 'PAYMENT',
        amountMinor: 983_964,
        currency: 'USD',
        originAccountId: 'C1231006815',
        destinationAccountId: 'M1979787155',
        channel: null,
        deviceId: null,
        countryCode: null,
        merchantCategory: null,
        originBalanceBeforeMinor: 17_013_600,
        originBalanceAfterMinor: 16_029_636,
        destinationBalanceBeforeMinor: 0,
        destinationBalanceAfterMinor: 0,
      },
    });
    expect(rows.map((r) => r.isFraud)).toEqual([false, false, true, true]);
    expect(rows[2]!.tx.transactionId).toBe('ps-2');
  });

  it('keeps file order within a step and starts each step on its hour', async () => {
    const text = [HEADER, GOOD, GOOD, GOOD, GOOD.replace(/^1,/, '3,')].join('\n');
    const rows = await importAll(text, { startTimeMs: 1_000_000, withinStepSpacingMs: 10 });
    expect(rows.map((r) => r.tx.eventTime)).toEqual([
      1_000_000,
      1_000_010,
      1_000_020,
      1_000_000 + 2 * STEP_MS,
    ]);
  });

  it('pins rows past the end of the hour to its last millisecond', async () => {
    const text = [HEADER, GOOD, GOOD, GOOD].join('\n');
    const rows = await importAll(text, { startTimeMs: 0, withinStepSpacingMs: STEP_MS });
    expect(rows.map((r) => r.tx.eventTime)).toEqual([0, STEP_MS - 1, STEP_MS - 1]);
  });

  it('reads empty balance cells as unknown (null)', async () => {
    const rows = await importAll(
      `${HEADER}\n1,PAYMENT,10.50,C1,,,M2,,,0,0\n1,CASH_OUT,1.00,C1,5.00,,C3,,2.00,0,0`,
    );
    expect(rows[0]!.tx).toMatchObject({
      amountMinor: 1050,
      originBalanceBeforeMinor: null,
      originBalanceAfterMinor: null,
      destinationBalanceBeforeMinor: null,
      destinationBalanceAfterMinor: null,
    });
    expect(rows[1]!.tx).toMatchObject({
      originBalanceBeforeMinor: 500,
      originBalanceAfterMinor: null,
      destinationBalanceAfterMinor: 200,
    });
  });

  it('applies currency and id prefix options, and accepts CRLF and a BOM', async () => {
    const rows = await importAll(`\uFEFF${HEADER}\r\n${GOOD}\r\n`, { currency: 'KES', idPrefix: 'run7-' });
    expect(rows[0]!.tx).toMatchObject({ currency: 'KES', transactionId: 'run7-0' });
  });

  it('reads a header-only file as no rows', async () => {
    expect(await importAll(`${HEADER}\n`)).toEqual([]);
  });

  it('rejects an empty file', async () => {
    const error = await importError('');
    expect(error).toBeInstanceOf(PaysimHeaderError);
    expect(error).toMatchObject({ line: 1, field: 'header' });
    expect(String(error)).toMatch(/empty/);
  });

  it('rejects a header with a missing column, naming it', async () => {
    const error = await importError(`${HEADER.replace(',nameDest', '')}\n${GOOD}`);
    expect(error).toBeInstanceOf(PaysimHeaderError);
    expect(error).toMatchObject({ line: 1, field: 'nameDest' });
    const truncated = await importError(`${HEADER.replace(',isFlaggedFraud', '')}\n`);
    expect(truncated).toMatchObject({ line: 1, field: 'isFlaggedFraud' });
  });

  it("rejects a header that is not PaySim's", async () => {
    const error = await importError(`id,${HEADER}\n`);
    expect(error).toBeInstanceOf(PaysimHeaderError);
    expect(error).toMatchObject({ line: 1, field: 'step' });
    expect(await importError(`${HEADER},extra\n`)).toMatchObject({ line: 1, field: 'extra' });
  });

  it.each([
    [
      'too few columns',
      '1,TRANSFER,181.00,C1,181.00,0.00,C2,0.00,181.00,1',
      'isFlaggedFraud',
      'column_count',
    ],
    ['too many columns', `${GOOD},7`, 'columnCount', 'column_count'],
    ['a non-numeric amount', '1,TRANSFER,12abc,C1,181.00,0.00,C2,0.00,181.00,1,0', 'amount', 'invalid_value'],
    ['an empty amount', '1,TRANSFER,,C1,181.00,0.00,C2,0.00,181.00,1,0', 'amount', 'invalid_value'],
    ['an unknown type', '1,WIRE,181.00,C1,181.00,0.00,C2,0.00,181.00,1,0', 'type', 'unknown_type'],
    ['a bad step', 'x,TRANSFER,181.00,C1,181.00,0.00,C2,0.00,181.00,1,0', 'step', 'invalid_value'],
    ['step 0', '0,TRANSFER,181.00,C1,181.00,0.00,C2,0.00,181.00,1,0', 'step', 'invalid_value'],
    [
      'a non-numeric balance',
      '1,TRANSFER,181.00,C1,lots,0.00,C2,0.00,181.00,1,0',
      'oldbalanceOrg',
      'invalid_value',
    ],
    ['an empty origin', '1,TRANSFER,181.00,,181.00,0.00,C2,0.00,181.00,1,0', 'nameOrig', 'invalid_value'],
    ['a bad isFraud', '1,TRANSFER,181.00,C1,181.00,0.00,C2,0.00,181.00,yes,0', 'isFraud', 'invalid_value'],
    ['a negative amount', '1,TRANSFER,-1.00,C1,181.00,181.00,C2,0.00,0.00,1,0', 'amount', 'invalid_value'],
  ])('rejects %s, naming the line and field', async (_case, bad, field, reason) => {
    const error = await importError([HEADER, GOOD, GOOD, bad, GOOD].join('\n'));
    expect(error).toBeInstanceOf(PaysimRowError);
    expect(error).toMatchObject({ line: 4, field, reason, row: 2 });
    expect((error as Error).message).toContain(`line 4, field ${field}`);
  });

  it('reports bad rows instead of throwing when asked, keeping row numbering', async () => {
    const reported: PaysimRowError[] = [];
    const text = [
      HEADER,
      GOOD,
      '1,TRANSFER,-2.00,C1,1.00,1.00,C2,0.00,0.00,1,0',
      '1,WIRE,1,C1,,,C2,,,0,0',
      '1,PAY"MENT,1,C1,,,C2,,,0,0',
      GOOD,
    ].join('\n');
    const rows = await importAll(text, { onInvalidRow: (e) => reported.push(e) });
    expect(rows.map((r) => r.tx.transactionId)).toEqual(['ps-0', 'ps-3']);
    expect(reported.map((e) => [e.line, e.reason])).toEqual([
      [3, 'invalid_value'],
      [4, 'unknown_type'],
      [5, 'csv_syntax'],
    ]);
  });

  it('imports amount 0 (PaySim has 16 such frauds) as amountMinor 0', async () => {
    const rows = await importAll(
      [HEADER, '2,CASH_OUT,0.0,C1,0.0,0.0,C2,0.0,0.0,1,0', '2,TRANSFER,0.00,C3,0.0,0.0,C4,0.0,0.0,1,0'].join(
        '\n',
      ),
    );
    expect(rows.map((r) => [r.tx.amountMinor, r.isFraud])).toEqual([
      [0, true],
      [0, true],
    ]);
  });

  it('names the line of a CSV syntax error', async () => {
    const error = await importError([HEADER, GOOD, '1,"TRANSFER,181.00'].join('\n'));
    expect(error).toBeInstanceOf(PaysimRowError);
    expect(error).toMatchObject({ reason: 'csv_syntax' });
  });
});
