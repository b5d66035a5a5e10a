/** `npm run rollback -- [--models DIR]`: restore the champion the current one replaced (logged). */
import path from 'node:path';
import { rollbackChampion } from '@fraud/model';
import { REPO_ROOT } from '../retrain.ts';
import { parseCli, runCli } from '@fraud/config';

const USAGE = `usage: npm run rollback -- [--models DIR]

Makes the previous champion (from <models>/promotions.jsonl) champion again, atomically; the
scorers switch back on their next registry poll. Run again to go further back.`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), { models: { type: 'string' }, help: { type: 'boolean' } });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const modelsDir = a.models ?? path.join(REPO_ROOT, 'models');
  const { from, to } = await rollbackChampion(modelsDir);
  process.stdout.write(`${path.join(modelsDir, 'registry.json')}: champion ${from} -> ${to} (rolled back)\n`);
});
