import { describe, expect, it } from 'vitest';
import { PaysimRowError } from './errors.ts';
import { formatTransactionJsonl, readTransactionsJsonl, type JsonlRow } from './jsonl.ts';

const TX = {
  transactionId: 't1',
  eventTime: 1_700_000_000_000,
  type: 'CASH_OUT',
  amountMinor: 500,
  currency: 'USD',
  originAccountId: 'C1',
  destinationAccountId: 'C2',
};

async function readAll(text: string, onInvalidRow?: (e: PaysimRowError) => void): Promise<JsonlRow[]> {
  const out: JsonlRow[] = [];
  for await (const row of readTransactionsJsonl([text], { onInvalidRow })) out.push(row);
  return out;
}

describe('readTransactionsJsonl', () => {
  it('reads one Transaction per line, filling absent optional fields with null', async () => {
    const rows = await readAll(
      `${JSON.stringify(TX)}\n\n${JSON.stringify({ ...TX, transactionId: 't2', isFraud: true, channel: 'WEB' })}\n`,
    );
    expect(
      rows.map((r) => [r.tx.transactionId, r.isFraud, r.line, r.tx.channel, r.tx.originBalanceBeforeMinor]),
    ).toEqual([
      ['t1', undefined, 1, null, null],
      ['t2', true, 3, 'WEB', null],
    ]);
  });

  it('round-trips formatTransactionJsonl', async () => {
    const [row] = await readAll(JSON.stringify(TX));
    const [again] = await readAll(formatTransactionJsonl({ tx: row!.tx, isFraud: false }));
    expect(again).toEqual({ ...row, isFraud: false });
  });

  it.each([
    ['not JSON', '{"transactionId":', 'line', 'invalid_json'],
    ['a missing id', JSON.stringify({ ...TX, transactionId: undefined }), 'transactionId', 'invalid_value'],
    ['an unknown type', JSON.stringify({ ...TX, type: 'WIRE' }), 'type', 'invalid_value'],
    ['a negative amount', JSON.stringify({ ...TX, amountMinor: -1 }), 'amountMinor', 'invalid_value'],
    ['a non-boolean isFraud', JSON.stringify({ ...TX, isFraud: 1 }), 'isFraud', 'invalid_value'],
  ])('rejects %s, naming the line and field', async (_case, bad, field, reason) => {
    const error = await readAll(`${JSON.stringify(TX)}\n${bad}\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaysimRowError);
    expect(error).toMatchObject({ line: 2, field, reason });
  });

  it('reports bad lines and goes on when asked', async () => {
    const errors: PaysimRowError[] = [];
    const rows = await readAll(`nope\n${JSON.stringify(TX)}\n`, (e) => errors.push(e));
    expect(rows).toHaveLength(1);
    expect(errors.map((e) => e.line)).toEqual([1]);
  });
});
