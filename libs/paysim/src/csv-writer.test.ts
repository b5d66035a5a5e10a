import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Transaction } from '@fraud/contracts';
import { readPaysimCsv } from './csv-reader.ts';
import { formatMinor, formatPaysimRow, writePaysimCsv } from './csv-writer.ts';
import { PAYSIM_HEADER, STEP_MS, type ImportedRow, type LabeledTransaction } from './format.ts';

const START = Date.UTC(2024, 5, 1);

function tx(overrides: Partial<Transaction>): Transaction {
  return {
    transactionId: 'x',
    eventTime: START,
    type: 'TRANSFER',
    amountMinor: 18_100,
    currency: 'USD',
    originAccountId: 'C1',
    destinationAccountId: 'C2',
    channel: null,
    deviceId: null,
    countryCode: null,
    merchantCategory: null,
    originBalanceBeforeMinor: 18_100,
    originBalanceAfterMinor: 0,
    destinationBalanceBeforeMinor: null,
    destinationBalanceAfterMinor: null,
    ...overrides,
  };
}

async function writeToString(rows: LabeledTransaction[]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writePaysimCsv(out, rows, { startTimeMs: START });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('formatMinor', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [18_100, '181.00'],
    [983_964, '9839.64'],
    [-1_050, '-10.50'],
    [1_000_000_000_00, '1000000000.00'],
  ])('%d minor units -> %s', (minor, text) => expect(formatMinor(minor)).toBe(text));
});

describe('writePaysimCsv', () => {
  it('writes the PaySim header, steps from event time, empty cells for unknown balances and the flag rule', async () => {
    const text = await writeToString([
      { tx: tx({}), isFraud: true },
      {
        tx: tx({ eventTime: START + 2 * STEP_MS + 5, amountMinor: 20_000_001, type: 'TRANSFER' }),
        isFraud: false,
      },
      {
        tx: tx({ eventTime: START + 3 * STEP_MS, amountMinor: 30_000_000, type: 'CASH_OUT' }),
        isFraud: false,
      },
    ]);
    expect(text.split('\n')).toEqual([
      PAYSIM_HEADER,
      '1,TRANSFER,181.00,C1,181.00,0.00,C2,,,1,0',
      '3,TRANSFER,200000.01,C1,181.00,0.00,C2,,,0,1',
      '4,CASH_OUT,300000.00,C1,181.00,0.00,C2,,,0,0',
      '',
    ]);
  });

  it('refuses account ids that would need quoting', () => {
    expect(() => formatPaysimRow(tx({ originAccountId: 'C,1' }), false)).toThrow(/C,1/);
  });

  it('round-trips through the importer', async () => {
    const rows: LabeledTransaction[] = [];
    for (let i = 0; i < 500; i += 1) {
      rows.push({
        tx: tx({
          transactionId: `ps-${i}`,
          eventTime: START + Math.floor(i / 7) * STEP_MS + i,
          type: (['PAYMENT', 'TRANSFER', 'CASH_OUT', 'CASH_IN', 'DEBIT'] as const)[i % 5]!,
          amountMinor: 1 + i * 12_345,
          originAccountId: `C${1000 + i}`,
          destinationAccountId: i % 5 === 0 ? `M${i}` : `C${2000 + i}`,
          originBalanceBeforeMinor: i % 3 === 0 ? null : i * 1000,
          originBalanceAfterMinor: i % 3 === 0 ? null : i * 999,
          destinationBalanceBeforeMinor: i % 5 === 0 ? null : i,
          destinationBalanceAfterMinor: i % 5 === 0 ? null : i * 2,
        }),
        isFraud: i % 11 === 0,
      });
    }
    const imported: ImportedRow[] = [];
    for await (const row of readPaysimCsv([await writeToString(rows)], { startTimeMs: START }))
      imported.push(row);
    expect(imported).toHaveLength(rows.length);
    imported.forEach((got, i) => {
      const want = rows[i]!;
      // The CSV keeps the hour only: compare everything else exactly, and the hour of eventTime.
      expect({ ...got.tx, eventTime: 0 }).toEqual({ ...want.tx, eventTime: 0 });
      expect(Math.floor((got.tx.eventTime - START) / STEP_MS)).toBe(
        Math.floor((want.tx.eventTime - START) / STEP_MS),
      );
      expect(got.isFraud).toBe(want.isFraud);
    });
  });
});
