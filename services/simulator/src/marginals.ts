/**
 * The marginals that make data "look like PaySim", measured the same way on any labeled stream
 * (the real rows or the simulator's output), so the two can be put side by side.
 */
import type { TransactionType } from '@fraud/contracts';
import type { LabeledTransaction } from '@fraud/paysim';
import { TYPES } from './amounts.ts';

const HOUR_MS = 3_600_000;

export interface Marginals {
  rows: number;
  /** Rows per hour of event time: window counts and destination reuse depend on this density. */
  rowsPerHour: number;
  fraud: number;
  /** Share of rows per type. */
  typeShare: Record<TransactionType, number>;
  /** Amount quantiles per type (major units): q25, median, q75. */
  amount: Record<TransactionType, [number, number, number]>;
  fraudByType: Record<TransactionType, number>;
  /** Median fraud amount (major units). */
  fraudAmountMedian: number;
  /** Share of amounts in whole units, legit and fraud. */
  wholeLegit: number;
  wholeFraud: number;
  /** Share of rows whose origin makes only that one transaction in the data. */
  oneShotOrigins: number;
  /** Fraud TRANSFERs whose destination was never seen before. */
  fraudTransferToUnseen: number;
  legitTransferToUnseen: number;
  /** Fraud CASH_OUTs with a TRANSFER of exactly the same amount in the hour before. */
  fraudCashOutAfterSameAmountTransfer: number;
  /** ... of those, the cash-out comes from another account than the transfer's recipient. */
  fraudCashOutFromOtherAccount: number;
  /** Median seconds between that transfer and the fraud cash-out. */
  fraudCashOutDelayMedianS: number;
  /** Legit CASH_OUTs with a TRANSFER of exactly the same amount in the hour before. */
  legitCashOutAfterSameAmountTransfer: number;
  /** Rows to a merchant (M...) that report a non-zero balance. */
  merchantRowsWithBalance: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const ratio = (a: number, b: number): number => (b === 0 ? Number.NaN : a / b);

/** One pass over the rows (event-time order), plus an origin count. Memory: O(distinct accounts). */
export async function measureMarginals(
  source: AsyncIterable<LabeledTransaction> | Iterable<LabeledTransaction>,
): Promise<Marginals> {
  const amounts = Object.fromEntries(TYPES.map((t) => [t, [] as number[]])) as Record<
    TransactionType,
    number[]
  >;
  const fraudByType = Object.fromEntries(TYPES.map((t) => [t, 0])) as Record<TransactionType, number>;
  const fraudAmounts: number[] = [];
  const originCount = new Map<string, number>();
  const seen = new Set<string>();
  // Recent transfers by amount: [time, recipient] (pruned to the last hour as rows go by).
  const transfers = new Map<number, [number, string][]>();
  const delays: number[] = [];
  let rows = 0;
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  let fraud = 0;
  let wholeLegit = 0;
  let wholeFraud = 0;
  let fraudTransfers = 0;
  let legitTransfers = 0;
  let fraudTransferToUnseen = 0;
  let legitTransferToUnseen = 0;
  let fraudCashOuts = 0;
  let legitCashOuts = 0;
  let fraudPaired = 0;
  let fraudOther = 0;
  let legitPaired = 0;
  let merchantRows = 0;
  let merchantWithBalance = 0;
  for await (const { tx, isFraud } of source) {
    rows += 1;
    const t = tx.eventTime;
    firstMs = Math.min(firstMs, t);
    lastMs = Math.max(lastMs, t);
    amounts[tx.type].push(tx.amountMinor / 100);
    originCount.set(tx.originAccountId, (originCount.get(tx.originAccountId) ?? 0) + 1);
    const whole = tx.amountMinor % 100 === 0 ? 1 : 0;
    if (isFraud) {
      fraud += 1;
      fraudByType[tx.type] += 1;
      fraudAmounts.push(tx.amountMinor / 100);
      wholeFraud += whole;
    } else wholeLegit += whole;
    if (tx.destinationAccountId.startsWith('M')) {
      merchantRows += 1;
      // PaySim writes 0.0 for a merchant's balances: a non-zero one would be a reported balance.
      if (Boolean(tx.destinationBalanceBeforeMinor) || Boolean(tx.destinationBalanceAfterMinor))
        merchantWithBalance += 1;
    }
    if (tx.type === 'TRANSFER') {
      const unseen = seen.has(tx.destinationAccountId) ? 0 : 1;
      if (isFraud) {
        fraudTransfers += 1;
        fraudTransferToUnseen += unseen;
      } else {
        legitTransfers += 1;
        legitTransferToUnseen += unseen;
      }
    }
    if (tx.type === 'CASH_OUT') {
      const recent = (transfers.get(tx.amountMinor) ?? []).filter(([at]) => t - at <= HOUR_MS && at <= t);
      const last = recent[recent.length - 1];
      if (isFraud) {
        fraudCashOuts += 1;
        if (last) {
          fraudPaired += 1;
          if (last[1] !== tx.originAccountId) fraudOther += 1;
          delays.push((t - last[0]) / 1000);
        }
      } else {
        legitCashOuts += 1;
        if (last) legitPaired += 1;
      }
    }
    if (tx.type === 'TRANSFER') {
      const list = (transfers.get(tx.amountMinor) ?? []).filter(([at]) => t - at <= HOUR_MS);
      list.push([t, tx.destinationAccountId]);
      transfers.set(tx.amountMinor, list);
    }
    seen.add(tx.originAccountId);
    seen.add(tx.destinationAccountId);
    if (rows % 100_000 === 0)
      for (const [k, v] of transfers) if (t - v[v.length - 1]![0] > HOUR_MS) transfers.delete(k);
  }
  let oneShotRows = 0;
  for (const n of originCount.values()) if (n === 1) oneShotRows += 1;
  const sortedFraud = fraudAmounts.sort((a, b) => a - b);
  const amount = {} as Record<TransactionType, [number, number, number]>;
  const typeShare = {} as Record<TransactionType, number>;
  for (const type of TYPES) {
    const sorted = amounts[type].sort((a, b) => a - b);
    amount[type] = [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)];
    typeShare[type] = ratio(sorted.length, rows);
  }
  return {
    rows,
    rowsPerHour: rows === 0 ? Number.NaN : rows / Math.max(1, Math.ceil((lastMs - firstMs + 1) / HOUR_MS)),
    fraud,
    typeShare,
    amount,
    fraudByType,
    fraudAmountMedian: quantile(sortedFraud, 0.5),
    wholeLegit: ratio(wholeLegit, rows - fraud),
    wholeFraud: ratio(wholeFraud, fraud),
    oneShotOrigins: ratio(oneShotRows, rows),
    fraudTransferToUnseen: ratio(fraudTransferToUnseen, fraudTransfers),
    legitTransferToUnseen: ratio(legitTransferToUnseen, legitTransfers),
    fraudCashOutAfterSameAmountTransfer: ratio(fraudPaired, fraudCashOuts),
    fraudCashOutFromOtherAccount: ratio(fraudOther, fraudPaired),
    fraudCashOutDelayMedianS: quantile(
      delays.sort((a, b) => a - b),
      0.5,
    ),
    legitCashOutAfterSameAmountTransfer: ratio(legitPaired, legitCashOuts),
    merchantRowsWithBalance: ratio(merchantWithBalance, merchantRows),
  };
}

const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const num = (x: number): string => (Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));

/** A markdown table with one column per measured data set. */
export function marginalsTable(columns: readonly [string, Marginals][]): string {
  const line = (label: string, f: (m: Marginals) => string): string =>
    `| ${label} | ${columns.map(([, m]) => f(m)).join(' | ')} |`;
  const out = [
    `| marginal | ${columns.map(([name]) => name).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    line('rows', (m) => num(m.rows)),
    line('rows per hour', (m) => num(m.rowsPerHour)),
    line('fraud rate', (m) => `${((m.fraud / m.rows) * 100).toFixed(3)}%`),
  ];
  for (const type of TYPES) out.push(line(`${type} share`, (m) => pct(m.typeShare[type])));
  for (const type of TYPES) {
    out.push(line(`${type} amount q25 / median / q75`, (m) => m.amount[type].map(num).join(' / ')));
  }
  out.push(
    line('fraud by type', (m) =>
      TYPES.filter((t) => m.fraudByType[t] > 0)
        .map((t) => `${t} ${pct(m.fraudByType[t] / m.fraud)}`)
        .join(', '),
    ),
    line('fraud amount median', (m) => num(m.fraudAmountMedian)),
    line('whole-unit amounts, legit / fraud', (m) => `${pct(m.wholeLegit)} / ${pct(m.wholeFraud)}`),
    line('rows whose origin appears once', (m) => pct(m.oneShotOrigins)),
    line(
      'TRANSFER to an unseen account, legit / fraud',
      (m) => `${pct(m.legitTransferToUnseen)} / ${pct(m.fraudTransferToUnseen)}`,
    ),
    line('fraud CASH_OUT after a same-amount TRANSFER (1 h)', (m) =>
      pct(m.fraudCashOutAfterSameAmountTransfer),
    ),
    line('... cashed out by another account than the recipient', (m) => pct(m.fraudCashOutFromOtherAccount)),
    line('... median delay (s)', (m) =>
      Number.isNaN(m.fraudCashOutDelayMedianS) ? 'n/a' : m.fraudCashOutDelayMedianS.toFixed(1),
    ),
    line('legit CASH_OUT after a same-amount TRANSFER (1 h)', (m) =>
      pct(m.legitCashOutAfterSameAmountTransfer),
    ),
    line('merchant rows with a non-zero balance', (m) => pct(m.merchantRowsWithBalance)),
  );
  return out.join('\n');
}
