import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FLAGGED_TRANSFER_THRESHOLD_MINOR, writePaysimCsv, type LabeledTransaction } from '@fraud/paysim';
import { SimulationOptionsError, simulate } from './simulate.ts';

async function csvDigest(rows: Iterable<LabeledTransaction>): Promise<string> {
  const out = new PassThrough();
  const hash = createHash('sha256');
  out.on('data', (c: Buffer) => hash.update(c));
  await writePaysimCsv(out, rows);
  out.end();
  return hash.digest('hex');
}

// One shared 200k run: the statistical assertions need volume, and generating it costs ~0.5 s.
const BIG = [...simulate({ seed: 42, transactions: 200_000 })];
const FIVE_MINUTES = 5 * 60_000;

describe('simulate', () => {
  it('is deterministic: the same seed gives the same CSV bytes, another seed does not', async () => {
    const a = await csvDigest(simulate({ seed: 7, transactions: 20_000 }));
    const b = await csvDigest(simulate({ seed: 7, transactions: 20_000 }));
    const c = await csvDigest(simulate({ seed: 8, transactions: 20_000 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('yields exactly the requested count, unique ids, in event-time order', () => {
    expect(BIG).toHaveLength(200_000);
    expect(new Set(BIG.map((r) => r.tx.transactionId)).size).toBe(200_000);
    const backwards = BIG.filter((r, i) => i > 0 && r.tx.eventTime < BIG[i - 1]!.tx.eventTime);
    expect(backwards).toEqual([]);
    expect(BIG[0]!.tx.transactionId).toBe('ps-0');
    expect([...simulate({ seed: 1, transactions: 0 })]).toEqual([]);
  });

  it('fills channel, device, country and merchant category; fraudsters use devices the victim never did', () => {
    expect(BIG.every((r) => r.tx.channel !== null)).toBe(true);
    const ussd = BIG.filter((r) => r.tx.channel === 'USSD');
    expect(ussd.length / BIG.length).toBeGreaterThan(0.1); // feature phones: no device, no location
    expect(ussd.every((r) => r.tx.deviceId === null && r.tx.countryCode === null)).toBe(true);
    const payments = BIG.filter((r) => r.tx.type === 'PAYMENT');
    expect(payments.every((r) => r.tx.merchantCategory !== null)).toBe(true);
    expect(BIG.filter((r) => r.tx.type === 'CASH_IN').every((r) => r.tx.deviceId === null)).toBe(true);
    const transfers = BIG.filter((r) => r.tx.type === 'TRANSFER');
    const ownDevice = (r: (typeof BIG)[number]) => r.tx.deviceId === `D-${r.tx.originAccountId}-0`;
    const legitApp = transfers.filter((r) => !r.isFraud && r.tx.channel !== 'USSD');
    expect(legitApp.filter(ownDevice).length / legitApp.length).toBeGreaterThan(0.85);
    const fraudTransfers = transfers.filter((r) => r.isFraud && r.tx.channel !== 'USSD');
    expect(fraudTransfers.length).toBeGreaterThan(20);
    expect(fraudTransfers.every((r) => r.tx.deviceId?.startsWith('D-x'))).toBe(true);
    const abroad = (rs: typeof BIG) =>
      rs.filter((r) => !['KE', 'UG', 'TZ', 'GB', 'US'].includes(r.tx.countryCode!)).length / rs.length;
    expect(abroad(fraudTransfers)).toBeGreaterThan(abroad(legitApp) * 5);
  });

  it('keeps the fraud rate within 0.1-0.2%', () => {
    const rate = BIG.filter((r) => r.isFraud).length / BIG.length;
    expect(rate).toBeGreaterThanOrEqual(0.001);
    expect(rate).toBeLessThanOrEqual(0.002);
  });

  it('has a PaySim-like type mix', () => {
    const share = (type: string) => BIG.filter((r) => r.tx.type === type).length / BIG.length;
    expect(share('PAYMENT')).toBeGreaterThan(0.25);
    expect(share('CASH_OUT')).toBeGreaterThan(0.25);
    expect(share('CASH_IN')).toBeGreaterThan(0.15);
    expect(share('TRANSFER')).toBeGreaterThan(0.05);
    expect(share('DEBIT')).toBeGreaterThan(0.002);
    expect(share('DEBIT')).toBeLessThan(0.02);
  });

  it('keeps ledger balances consistent: each account starts where its last transaction left it', () => {
    const last = new Map<string, number>();
    let checked = 0;
    const broken: string[] = []; // collected, not asserted per row: a million expect() calls are slow
    for (const { tx } of BIG) {
      const sides: [string, number | null, number | null][] = [
        [tx.originAccountId, tx.originBalanceBeforeMinor, tx.originBalanceAfterMinor],
        [tx.destinationAccountId, tx.destinationBalanceBeforeMinor, tx.destinationBalanceAfterMinor],
      ];
      for (const [account, before, after] of sides) {
        if (before === null || after === null) continue;
        const previous = last.get(account);
        if (previous !== undefined) {
          if (before !== previous) broken.push(`${tx.transactionId} ${account}: ${before} != ${previous}`);
          checked += 1;
        }
        last.set(account, after);
      }
      if (tx.originBalanceBeforeMinor !== null && tx.originBalanceAfterMinor !== null) {
        const delta = tx.type === 'CASH_IN' ? tx.amountMinor : -tx.amountMinor;
        if (
          tx.originBalanceAfterMinor - tx.originBalanceBeforeMinor !== delta ||
          tx.originBalanceAfterMinor < 0
        ) {
          broken.push(
            `${tx.transactionId}: origin ${tx.originBalanceBeforeMinor} -> ${tx.originBalanceAfterMinor}`,
          );
        }
      }
    }
    expect(broken.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });

  it('names merchants M... with unknown balances, like PaySim', () => {
    const payments = BIG.filter((r) => r.tx.type === 'PAYMENT');
    expect(payments.every((r) => r.tx.destinationAccountId.startsWith('M'))).toBe(true);
    expect(payments.every((r) => r.tx.destinationBalanceBeforeMinor === null)).toBe(true);
    expect(BIG.every((r) => r.tx.originAccountId.startsWith('C'))).toBe(true);
  });

  it('produces each fraud typology', () => {
    const fraud = BIG.filter((r) => r.isFraud).map((r) => r.tx);
    const fraudTransfers = fraud.filter((t) => t.type === 'TRANSFER');
    // (a) account takeover: a fraud TRANSFER into an account that then makes a fraud CASH_OUT of
    // the same amount within the hour.
    const takeover = fraudTransfers.some((t) =>
      fraud.some(
        (c) =>
          c.type === 'CASH_OUT' &&
          c.originAccountId === t.destinationAccountId &&
          c.amountMinor === t.amountMinor &&
          c.eventTime > t.eventTime &&
          c.eventTime - t.eventTime < 60 * 60_000,
      ),
    );
    expect(takeover).toBe(true);
    // (b) card testing: 5+ small fraud PAYMENTs from one account within 5 minutes.
    const small = fraud.filter((t) => t.type === 'PAYMENT' && t.amountMinor < 100_00);
    const cardTesting = small.some(
      (t) =>
        small.filter(
          (u) =>
            u.originAccountId === t.originAccountId && Math.abs(u.eventTime - t.eventTime) <= FIVE_MINUTES,
        ).length >= 5,
    );
    expect(cardTesting).toBe(true);
    // (c) fan-in: one account receiving fraud transfers from 4+ victims; fan-out: one victim
    // sending fraud transfers to 3+ accounts.
    const group = (
      key: (t: (typeof fraud)[number]) => string,
      other: (t: (typeof fraud)[number]) => string,
    ) => {
      const map = new Map<string, Set<string>>();
      for (const t of fraudTransfers) map.set(key(t), (map.get(key(t)) ?? new Set()).add(other(t)));
      return Math.max(...[...map.values()].map((s) => s.size));
    };
    expect(
      group(
        (t) => t.destinationAccountId,
        (t) => t.originAccountId,
      ),
    ).toBeGreaterThanOrEqual(4);
    expect(
      group(
        (t) => t.originAccountId,
        (t) => t.destinationAccountId,
      ),
    ).toBeGreaterThanOrEqual(3);
  });

  it('is not trivially separable: legit look-alikes exist and not every fraud drains to 0', () => {
    const transfers = BIG.filter((r) => r.tx.type === 'TRANSFER');
    const drained = (r: LabeledTransaction) => r.tx.originBalanceAfterMinor === 0;
    const fraudTransfers = transfers.filter((r) => r.isFraud);
    expect(fraudTransfers.filter(drained).length).toBeGreaterThan(0);
    expect(fraudTransfers.filter((r) => !drained(r)).length).toBeGreaterThan(0);
    // Legit transfers that empty the account outnumber the fraud ones.
    expect(transfers.filter((r) => !r.isFraud && drained(r)).length).toBeGreaterThan(
      fraudTransfers.filter(drained).length,
    );
  });

  it("flags transfers above 200,000 by PaySim's rule only (the CSV column)", () => {
    const flagged = BIG.filter(
      (r) => r.tx.type === 'TRANSFER' && r.tx.amountMinor > FLAGGED_TRANSFER_THRESHOLD_MINOR,
    );
    expect(flagged.length).toBeGreaterThan(0);
  });

  it('starts at the given start time and rejects bad options, naming them', () => {
    const [first] = simulate({ seed: 1, transactions: 1, startTimeMs: Date.UTC(2030, 0, 1) });
    expect(first!.tx.eventTime).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 1));
    expect(() => [...simulate({ seed: 1.5, transactions: 1 })]).toThrow(SimulationOptionsError);
    expect(() => [...simulate({ seed: 1, transactions: 1, fraudRate: 2 })]).toThrow(/fraudRate/);
  });
});
