import {
  appendPromotionLog,
  promoteRegistryVersion,
  readPromotionLog,
  writeModelRegistry,
} from '@fraud/model';
import { readFeedback, type FeedbackReadOptions } from './build-dataset.ts';
import { evaluateGate, type GatePolicy, type GateResult } from './gate.ts';
import { modelQuality } from './model-quality.ts';
import { loadRegistryVersion, readModelRegistry } from './models.ts';
import { shadowSample } from './shadow.ts';

export interface GateRunOptions extends Omit<FeedbackReadOptions, 'fromMs' | 'toMs'> {
  modelsDir: string;
  policy: GatePolicy;
  /** Shadow traffic from here on counts; default: when the challenger was registered (promotion log). */
  sinceMs?: number;
  asOfMs: number;
  maturityMs: number;
  /** Promote when the gate passes (else only report). */
  promote: boolean;
  now?: () => Date;
}

export interface GateRunResult extends GateResult {
  championBefore: string;
  challengerVersion: string;
  championAfter: string;
  promoted: boolean;
  window: { since: string; as_of: string };
  labelled: number;
  frauds: number;
  immature: number;
  shadowed: number;
}

export class GateError extends Error {
  constructor(
    message: string,
    /** `no_challenger`: the registry names no challenger (nothing to gate). */
    readonly code: 'no_challenger' | 'registry_changed',
  ) {
    super(message);
    this.name = 'GateError';
  }
}

/**
 * The promotion gate on labelled shadow traffic: reads the decisions the current pair made
 * (champion deciding, challenger shadowing) and their labels, compares both models on exactly
 * those transactions, and (with `promote`) makes the challenger champion when every check
 * passes — after loading it the way the scorers will, so a model of other feature code is
 * refused. The registry write is atomic; the outcome (promoted or refused, with the evidence) is
 * appended to the promotion log either way.
 */
export async function runGate(options: GateRunOptions): Promise<GateRunResult> {
  const now = options.now ?? (() => new Date());
  const registry = await readModelRegistry(options.modelsDir);
  const challengerVersion = registry.challenger;
  if (!challengerVersion)
    throw new GateError(`${options.modelsDir}/registry.json names no challenger to gate`, 'no_challenger');
  const championVersion = registry.champion;
  const [championModel, challengerModel] = await Promise.all([
    loadRegistryVersion(options.modelsDir, registry, championVersion),
    loadRegistryVersion(options.modelsDir, registry, challengerVersion),
  ]);
  const sinceMs = options.sinceMs ?? (await registeredAt(options.modelsDir, challengerVersion)) ?? 0;
  const feedback = await readFeedback({ ...options, fromMs: sinceMs, toMs: options.asOfMs });
  const sample = shadowSample(
    feedback.decisions,
    feedback.labels,
    { champion: championVersion, challenger: challengerVersion },
    options.asOfMs,
    options.maturityMs,
  );
  const blockPrecision = championModel.manifest.threshold_policy.block_precision_target;
  const result = evaluateGate(
    modelQuality(
      championVersion,
      sample.championScores,
      sample.labels,
      blockPrecision,
      championModel.manifest.thresholds.review,
    ),
    modelQuality(
      challengerVersion,
      sample.challengerScores,
      sample.labels,
      blockPrecision,
      challengerModel.manifest.thresholds.review,
    ),
    options.policy,
  );
  const at = now();
  let promoted = false;
  if (result.passed && options.promote) {
    // Re-read right before writing: someone may have changed the registry meanwhile.
    const current = await readModelRegistry(options.modelsDir);
    if (current.champion !== championVersion || current.challenger !== challengerVersion) {
      throw new GateError(
        `registry changed during the gate (now champion ${current.champion}, challenger ${current.challenger ?? 'none'}); not promoting`,
        'registry_changed',
      );
    }
    await writeModelRegistry(options.modelsDir, promoteRegistryVersion(current, challengerVersion, {}, at));
    promoted = true;
  }
  const evidence = {
    checks: result.checks,
    champion: result.champion,
    challenger: result.challenger,
    labelled: sample.labels.length,
  };
  if (promoted || !result.passed) {
    await appendPromotionLog(options.modelsDir, {
      at: at.toISOString(),
      action: promoted ? 'promote' : 'refused',
      from: championVersion,
      to: challengerVersion,
      by: 'gate',
      ...(promoted
        ? {}
        : {
            reason: result.checks
              .filter((c) => !c.passed)
              .map((c) => c.name)
              .join(', '),
          }),
      gate: evidence,
    });
  }
  return {
    ...result,
    championBefore: championVersion,
    challengerVersion,
    championAfter: promoted ? challengerVersion : championVersion,
    promoted,
    window: { since: new Date(sinceMs).toISOString(), as_of: new Date(options.asOfMs).toISOString() },
    labelled: sample.labels.length,
    frauds: result.challenger.frauds,
    immature: sample.immature,
    shadowed: sample.shadowed,
  };
}

/** When `version` last became challenger, from the promotion log. */
async function registeredAt(modelsDir: string, version: string): Promise<number | undefined> {
  const entry = (await readPromotionLog(modelsDir)).findLast(
    (e) => e.action === 'challenger' && e.to === version,
  );
  return entry ? Date.parse(entry.at) : undefined;
}
