import { describe, expect, it } from 'vitest';
import { marginalsTable, measureMarginals } from './marginals.ts';
import { simulate } from './simulate.ts';
import { PAYSIM_TYPE_SHARE } from './walk-ins.ts';

describe('the simulator looks like PaySim where PaySim is public', async () => {
  const m = await measureMarginals(simulate({ seed: 11, transactions: 150_000 }));

  it("keeps PaySim's type mix within 2 points of the full dataset's", () => {
    for (const [type, share] of Object.entries(PAYSIM_TYPE_SHARE)) {
      expect(Math.abs(m.typeShare[type as keyof typeof PAYSIM_TYPE_SHARE] - share), type).toBeLessThan(0.02);
    }
  });

  it("has PaySim's drain: most fraud cash-outs repeat a transfer's exact amount, from another account, seconds later", () => {
    expect(m.fraudCashOutAfterSameAmountTransfer).toBeGreaterThan(0.75);
    expect(m.fraudCashOutFromOtherAccount).toBeGreaterThan(0.8);
    expect(m.fraudCashOutDelayMedianS).toBeLessThan(60);
    // ...while legit cash-outs almost never repeat a transfer's amount (PaySim: never).
    expect(m.legitCashOutAfterSameAmountTransfer).toBeLessThan(0.005);
    expect(m.fraudTransferToUnseen).toBeGreaterThan(0.5); // PaySim: 100%; mule typologies reuse their mules
  });

  it('puts most fraud in TRANSFER and CASH_OUT (card testing adds some PAYMENT on top) and never in CASH_IN or DEBIT', () => {
    expect((m.fraudByType.TRANSFER + m.fraudByType.CASH_OUT) / m.fraud).toBeGreaterThan(0.85);
    expect(m.fraudByType.CASH_IN + m.fraudByType.DEBIT).toBe(0);
  });

  it('has one-shot origins, cents on legit amounts, whole frauds, merchants without balances', () => {
    expect(m.oneShotOrigins).toBeGreaterThan(0.45);
    expect(m.wholeLegit).toBeLessThan(0.05);
    expect(m.wholeFraud).toBeGreaterThan(0.15);
    expect(m.merchantRowsWithBalance).toBe(0);
    expect(marginalsTable([['sim', m]])).toContain('| CASH_OUT share |');
  });
});
