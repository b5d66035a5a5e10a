/**
 * `npm run sim:marginals -- NAME=FILE [NAME=FILE ...]`: measures PaySim's marginals on each labeled
 * file (a PaySim CSV, or JSON lines of Transactions) and prints one markdown table, a column each.
 *   npm run sim:marginals -- real=../shared/data/paysim-first-50k.csv sim=/tmp/sim.jsonl
 */
import { readPaysimCsvFile, readTransactionsJsonlFile, type LabeledTransaction } from '@fraud/paysim';
import { marginalsTable, measureMarginals, type Marginals } from './marginals.ts';

async function* readLabeled(file: string): AsyncGenerator<LabeledTransaction> {
  if (!/\.(jsonl|ndjson)$/.test(file)) {
    for await (const { tx, isFraud } of readPaysimCsvFile(file)) yield { tx, isFraud };
    return;
  }
  for await (const { tx, isFraud } of readTransactionsJsonlFile(file))
    yield { tx, isFraud: isFraud === true };
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: npm run sim:marginals -- NAME=FILE [NAME=FILE ...] (PaySim CSV or .jsonl)');
  process.exit(2);
}
const columns: [string, Marginals][] = [];
for (const arg of args) {
  const eq = arg.indexOf('=');
  const [name, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, arg];
  columns.push([name, await measureMarginals(readLabeled(file))]);
}
console.log(marginalsTable(columns));
