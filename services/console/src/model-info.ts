/**
 * What the model page shows: the registry's champion and challenger with their thresholds and
 * offline metrics, live numbers from the case store (alert rate, precision/recall from labels),
 * and drift PSI per feature scraped from the scorers' /metrics or asked of Prometheus.
 */
import path from 'node:path';
import { readManifest, tryReadModelRegistry, type ModelManifest } from '@fraud/model';
import { parseExposition } from '@fraud/observability';
import type { Db } from './db/db.ts';

export interface ModelSlot {
  role: 'champion' | 'challenger';
  version: string;
  manifest: ModelManifest | undefined;
  error: string | undefined;
}

export async function registryModels(modelsDir: string): Promise<{ slots: ModelSlot[]; error?: string }> {
  let registry;
  try {
    registry = await tryReadModelRegistry(modelsDir);
  } catch (error) {
    return { slots: [], error: (error as Error).message };
  }
  if (!registry) return { slots: [], error: `no model registry in ${modelsDir}` };
  const slots: ModelSlot[] = [];
  const roles: ['champion' | 'challenger', string | undefined][] = [
    ['champion', registry.champion],
    ['challenger', registry.challenger],
  ];
  for (const [role, version] of roles) {
    if (!version) continue;
    const entry = registry.versions.find((v) => v.version === version);
    try {
      slots.push({
        role,
        version,
        manifest: await readManifest(path.join(modelsDir, entry!.path)),
        error: undefined,
      });
    } catch (error) {
      slots.push({ role, version, manifest: undefined, error: (error as Error).message });
    }
  }
  return { slots };
}

export interface LiveModelStats {
  modelVersion: string;
  decisions: number;
  flagged: number;
  alertRate: number;
  /** Analyst verdicts on this version's alerts. */
  verdictFraud: number;
  verdictLegit: number;
  precisionFromVerdicts: number;
  /** Labels from every source (fraud.labels) joined with this version's decisions. */
  labelledFraud: number;
  flaggedFraud: number;
  recallFromLabels: number;
}

/** Per model version over decisions scored since `sinceMs`. */
export async function liveModelStats(db: Db, sinceMs: number): Promise<LiveModelStats[]> {
  const decisions = await db.all<{
    model_version: string;
    n: number;
    flagged: number;
    fraud: number;
    flagged_fraud: number;
  }>(
    `SELECT d.model_version, COUNT(*) AS n,
            SUM(CASE WHEN d.decision <> 'ALLOW' THEN 1 ELSE 0 END) AS flagged,
            SUM(CASE WHEN l.is_fraud = 1 THEN 1 ELSE 0 END) AS fraud,
            SUM(CASE WHEN l.is_fraud = 1 AND d.decision <> 'ALLOW' THEN 1 ELSE 0 END) AS flagged_fraud
     FROM decisions d LEFT JOIN labels l ON l.transaction_id = d.transaction_id
     WHERE d.scored_at >= ? GROUP BY d.model_version`,
    [sinceMs],
  );
  const verdicts = await db.all<{ model_version: string; fraud: number; legit: number }>(
    `SELECT model_version,
            SUM(CASE WHEN verdict = 'fraud' THEN 1 ELSE 0 END) AS fraud,
            SUM(CASE WHEN verdict = 'legit' THEN 1 ELSE 0 END) AS legit
     FROM alerts WHERE scored_at >= ? AND verdict IS NOT NULL GROUP BY model_version`,
    [sinceMs],
  );
  const versions = new Set([
    ...decisions.map((d) => d.model_version),
    ...verdicts.map((v) => v.model_version),
  ]);
  return [...versions].sort().map((version) => {
    const d = decisions.find((r) => r.model_version === version);
    const v = verdicts.find((r) => r.model_version === version);
    const n = Number(d?.n ?? 0);
    const flagged = Number(d?.flagged ?? 0);
    const fraud = Number(v?.fraud ?? 0);
    const legit = Number(v?.legit ?? 0);
    const labelledFraud = Number(d?.fraud ?? 0);
    const flaggedFraud = Number(d?.flagged_fraud ?? 0);
    return {
      modelVersion: version,
      decisions: n,
      flagged,
      alertRate: n > 0 ? flagged / n : Number.NaN,
      verdictFraud: fraud,
      verdictLegit: legit,
      precisionFromVerdicts: fraud + legit > 0 ? fraud / (fraud + legit) : Number.NaN,
      labelledFraud,
      flaggedFraud,
      recallFromLabels: labelledFraud > 0 ? flaggedFraud / labelledFraud : Number.NaN,
    };
  });
}

export interface FeaturePsi {
  feature: string;
  modelVersion: string;
  psi: number;
}

export interface DriftReading {
  features: FeaturePsi[];
  scorePsi: { modelVersion: string; psi: number }[];
  /** Where it came from, or why nothing came. */
  source: string;
  errors: string[];
}

/** Reads the two PSI gauges out of Prometheus text exposition format. */
export function parsePsiMetrics(text: string): Pick<DriftReading, 'features' | 'scorePsi'> {
  const features: FeaturePsi[] = [];
  const scorePsi: DriftReading['scorePsi'] = [];
  for (const family of parseExposition(text)) {
    for (const { labels, value } of family.samples) {
      if (!Number.isFinite(value)) continue;
      if (family.name === 'fraud_feature_psi' && labels.feature) {
        features.push({ feature: labels.feature, modelVersion: labels.model_version ?? '', psi: value });
      } else if (family.name === 'fraud_score_psi') {
        scorePsi.push({ modelVersion: labels.model_version ?? '', psi: value });
      }
    }
  }
  return { features, scorePsi };
}

/** Merges the readings of several scorer workers: the largest PSI per feature (the worst worker). */
function mergeWorst(
  readings: Pick<DriftReading, 'features' | 'scorePsi'>[],
): Pick<DriftReading, 'features' | 'scorePsi'> {
  const features = new Map<string, FeaturePsi>();
  const scores = new Map<string, { modelVersion: string; psi: number }>();
  for (const r of readings) {
    for (const f of r.features) {
      const key = `${f.modelVersion}/${f.feature}`;
      if ((features.get(key)?.psi ?? -1) < f.psi) features.set(key, f);
    }
    for (const s of r.scorePsi)
      if ((scores.get(s.modelVersion)?.psi ?? -1) < s.psi) scores.set(s.modelVersion, s);
  }
  return { features: [...features.values()], scorePsi: [...scores.values()] };
}

export async function readDrift(
  scorerMetricsUrls: readonly string[],
  prometheusUrl: string | undefined,
  timeoutMs = 2_000,
): Promise<DriftReading> {
  const errors: string[] = [];
  if (prometheusUrl) {
    try {
      const query = async (q: string) => {
        const url = `${prometheusUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(q)}`;
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        const body = (await response.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return body.data.result;
      };
      const features = (await query('max by (feature, model_version) (fraud_feature_psi)')).map((r) => ({
        feature: r.metric.feature ?? '',
        modelVersion: r.metric.model_version ?? '',
        psi: Number(r.value[1]),
      }));
      const scorePsi = (await query('max by (model_version) (fraud_score_psi)')).map((r) => ({
        modelVersion: r.metric.model_version ?? '',
        psi: Number(r.value[1]),
      }));
      return { features, scorePsi, source: `Prometheus ${prometheusUrl}`, errors };
    } catch (error) {
      errors.push(`Prometheus: ${(error as Error).message}`);
    }
  }
  const readings = await Promise.all(
    scorerMetricsUrls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return parsePsiMetrics(await response.text());
      } catch (error) {
        errors.push(`${url}: ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  const ok = readings.filter((r) => r !== undefined);
  return {
    ...mergeWorst(ok),
    source: `scorer metrics (${ok.length} of ${scorerMetricsUrls.length} reachable)`,
    errors,
  };
}
