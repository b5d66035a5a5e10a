import path from 'node:path';
import {
  appendPromotionLog,
  loadModelDirectory,
  promoteRegistryVersion,
  readModelRegistry,
  writeModelRegistry,
} from '@fraud/model';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT } from '../feature-set.ts';
import { REPO_ROOT } from '../python-step.ts';
import { parseCli, requireArg, runCli } from '@fraud/config';

const USAGE = `usage: npm run promote -- --version V [--challenger] [--models DIR]

  --version V     a version listed in DIR/registry.json
  --challenger    make it the shadow model instead of the champion
  --models DIR    models directory (default: <repo>/models)`;

await runCli(USAGE, async () => {
  const a = parseCli(process.argv.slice(2), {
    version: { type: 'string' },
    challenger: { type: 'boolean' },
    models: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (a.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const version = requireArg(a.version, 'version');
  const modelsDir = a.models ?? path.join(REPO_ROOT, 'models');
  const registry = await readModelRegistry(modelsDir);
  const next = promoteRegistryVersion(registry, version, { challenger: a.challenger ?? false });
  // Refuse to promote what the scorer would refuse to load: a bad manifest or other feature code.
  const entry = next.versions.find((v) => v.version === version)!;
  await loadModelDirectory(path.join(modelsDir, entry.path), {
    expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
    expectedFeatureNames: FEATURE_NAMES,
    requireExplainable: true,
  });
  await writeModelRegistry(modelsDir, next);
  // The promotion log makes `npm run rollback` able to undo this (see services/retrainer).
  await appendPromotionLog(modelsDir, {
    at: next.updated,
    action: a.challenger ? 'challenger' : 'promote',
    from: registry.champion,
    to: version,
    by: 'manual',
  });
  process.stdout.write(
    `${path.join(modelsDir, 'registry.json')}: champion ${next.champion}${next.challenger ? `, challenger ${next.challenger}` : ''}\n`,
  );
});
