/**
 * A small seeded PaySim-format CSV generator for the trainer's tests: fast, deterministic and
 * independent of the simulator service (services do not import each other). It plants PaySim's
 * classic fraud pattern (TRANSFER of a victim's whole balance to a mule, then the mule's CASH_OUT
 * of the same amount) among ordinary traffic, with innocent look-alikes so the task is not trivial.
 */
import { writeFile } from 'node:fs/promises';
import { PAYSIM_HEADER } from '@fraud/paysim';
import { seededRandom } from '@fraud/test-support';

export interface FixtureOptions {
  rows: number;
  seed: number;
  /** Share of fraud transactions (each episode is two rows). @default 0.004 */
  fraudRate?: number;
  /** Rows per hour (PaySim step). @default 400 */
  rowsPerStep?: number;
  /** Write the four balance columns empty, like the leak-free variant of the public dataset. */
  blankBalances?: boolean;
}

const prng = seededRandom;

const money = (cents: number): string => (cents / 100).toFixed(2);

export function paysimFixtureLines(options: FixtureOptions): string[] {
  const rnd = prng(options.seed);
  const fraudRate = options.fraudRate ?? 0.004;
  const perStep = options.rowsPerStep ?? 400;
  const customers = Math.max(50, Math.floor(options.rows / 4));
  const balances = new Float64Array(customers).map(() => Math.floor(rnd() * 2_000_000));
  const cust = (i: number): string => `C${100000 + i}`;
  const lines = [PAYSIM_HEADER];
  const bal = (v: number): string => (options.blankBalances ? '' : money(v));
  const push = (
    step: number,
    type: string,
    amount: number,
    o: string,
    ob: number,
    oa: number,
    d: string,
    db: number,
    da: number,
    fraud: boolean,
  ): void => {
    lines.push(
      `${step},${type},${money(amount)},${o},${bal(ob)},${bal(oa)},${d},${bal(db)},${bal(da)},${fraud ? 1 : 0},0`,
    );
  };
  while (lines.length - 1 < options.rows) {
    const step = 1 + Math.floor((lines.length - 1) / perStep);
    const o = Math.floor(rnd() * customers);
    const ob = balances[o]!;
    const r = rnd();
    if (r < fraudRate / 2 && ob > 1000 && lines.length < options.rows) {
      // Takeover: drain the victim to a fresh mule, which cashes out the same amount.
      const mule = `C${900000 + lines.length}`;
      push(step, 'TRANSFER', ob, cust(o), ob, 0, mule, 0, 0, true);
      push(step, 'CASH_OUT', ob, mule, ob, 0, `C${800000 + Math.floor(rnd() * 500)}`, 0, ob, true);
      balances[o] = 0;
      continue;
    }
    if (r < 0.01 && ob > 1000 && lines.length < options.rows) {
      // Innocent look-alike: a customer moves everything to another own account and withdraws part.
      const d = Math.floor(rnd() * customers);
      push(step, 'TRANSFER', ob, cust(o), ob, 0, cust(d), balances[d]!, balances[d]! + ob, false);
      balances[d] = balances[d]! + ob;
      balances[o] = 0;
      continue;
    }
    const amount = Math.max(100, Math.floor(Math.exp(rnd() * 9 + 4)));
    if (r < 0.4) {
      const after = Math.max(0, ob - amount);
      push(step, 'PAYMENT', amount, cust(o), ob, after, `M${Math.floor(rnd() * 1e9)}`, 0, 0, false);
      balances[o] = after;
    } else if (r < 0.62) {
      push(
        step,
        'CASH_IN',
        amount,
        cust(o),
        ob,
        ob + amount,
        `C${800000 + Math.floor(rnd() * 500)}`,
        5_000_000,
        5_000_000 - amount,
        false,
      );
      balances[o] = ob + amount;
    } else if (r < 0.95) {
      const after = Math.max(0, ob - amount);
      push(
        step,
        'CASH_OUT',
        amount,
        cust(o),
        ob,
        after,
        `C${800000 + Math.floor(rnd() * 500)}`,
        1_000_000,
        1_000_000 + amount,
        false,
      );
      balances[o] = after;
    } else if (r < 0.99) {
      const d = Math.floor(rnd() * customers);
      const after = Math.max(0, ob - amount);
      push(step, 'TRANSFER', amount, cust(o), ob, after, cust(d), balances[d]!, balances[d]! + amount, false);
      balances[o] = after;
      balances[d] = balances[d]! + amount;
    } else {
      push(
        step,
        'DEBIT',
        amount,
        cust(o),
        ob,
        Math.max(0, ob - amount),
        `C${800000 + Math.floor(rnd() * 500)}`,
        0,
        amount,
        false,
      );
    }
  }
  return lines.slice(0, options.rows + 1);
}

export async function writePaysimFixture(file: string, options: FixtureOptions): Promise<void> {
  await writeFile(file, `${paysimFixtureLines(options).join('\n')}\n`);
}
