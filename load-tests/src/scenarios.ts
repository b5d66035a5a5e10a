/**
 * Arrival-rate profiles, k6 `ramping-arrival-rate` style: a start rate and stages that move the
 * rate linearly to a target over a duration. The driver asks `dueBy(t)` how many transactions
 * should have been sent t seconds into the run and sends the difference (open model: a slow
 * system does not slow the offered load down).
 */

export type ScenarioName = 'constant' | 'smoke' | 'ramp' | 'burst' | 'sustained' | 'storm';
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'constant',
  'smoke',
  'ramp',
  'burst',
  'sustained',
  'storm',
];

/**
 * Transactions per simulated customer in the storm scenario (unless --customers is given): few,
 * hot accounts that transact every few seconds, as in card testing or a mule burst, so the
 * velocity features (and the flagged share) climb far above normal traffic.
 */
export const STORM_TRANSACTIONS_PER_CUSTOMER = 150;

export interface Stage {
  durationS: number;
  /** Rate at the end of the stage; the rate moves linearly from the previous stage's. */
  targetTps: number;
}

export interface RateProfile {
  name: ScenarioName;
  startTps: number;
  stages: readonly Stage[];
}

/** The pass/fail thresholds every run reports (the k6 thresholds the issue names). */
export interface Thresholds {
  p95Ms: number;
  p99Ms: number;
  maxLost: number;
  maxDuplicated: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  p95Ms: 100,
  p99Ms: 250,
  maxLost: 0,
  maxDuplicated: 0,
});

export interface ScenarioDefaults {
  rateTps: number;
  durationS: number;
  describe: string;
}

export const SCENARIO_DEFAULTS: Readonly<Record<ScenarioName, ScenarioDefaults>> = Object.freeze({
  constant: { rateTps: 10_000, durationS: 60, describe: '--rate TPS for --duration seconds' },
  smoke: { rateTps: 2_000, durationS: 10, describe: 'a short constant run at a low rate' },
  ramp: {
    rateTps: 10_000,
    durationS: 60,
    describe: 'linear ramp 0 -> --rate over the first 2/3, then hold --rate',
  },
  burst: {
    rateTps: 12_000,
    durationS: 60,
    describe: 'base load (--rate / 4) with a burst at --rate over the middle third',
  },
  sustained: { rateTps: 10_000, durationS: 60, describe: 'constant --rate for --duration seconds' },
  storm: {
    rateTps: 5_000,
    durationS: 30,
    describe:
      'alert storm: hot accounts (~150 transactions each), --rate / 2 with 2 s bursts at --rate every 5 s',
  },
});

/** The profile of a scenario; `peakTps` is --rate (the scenario's defining rate). */
export function scenarioProfile(name: ScenarioName, peakTps: number, durationS: number): RateProfile {
  if (!(peakTps > 0)) throw new Error(`rate must be > 0, got ${peakTps}`);
  if (!(durationS > 0)) throw new Error(`duration must be > 0, got ${durationS}`);
  switch (name) {
    case 'constant':
    case 'smoke':
    case 'sustained':
      return { name, startTps: peakTps, stages: [{ durationS, targetTps: peakTps }] };
    case 'ramp': {
      const up = (durationS * 2) / 3;
      return {
        name,
        startTps: 0,
        stages: [
          { durationS: up, targetTps: peakTps },
          { durationS: durationS - up, targetTps: peakTps },
        ],
      };
    }
    case 'burst': {
      const base = peakTps / 4;
      const third = durationS / 3;
      // Steps are 0.5 s ramps: an arrival-rate step cannot be instantaneous in this model.
      const edge = Math.min(0.5, third / 4);
      return {
        name,
        startTps: base,
        stages: [
          { durationS: third - edge, targetTps: base },
          { durationS: edge, targetTps: peakTps },
          { durationS: third - edge, targetTps: peakTps },
          { durationS: edge, targetTps: base },
          { durationS: durationS - 2 * third, targetTps: base },
        ],
      };
    }
    case 'storm': {
      // Bursts of 2 s at the peak every 5 s over half the peak (0.25 s edges), until durationS.
      const base = peakTps / 2;
      const edge = 0.25;
      const stages: Stage[] = [];
      let left = durationS;
      const push = (d: number, targetTps: number) => {
        const take = Math.min(d, left);
        if (take > 0) stages.push({ durationS: take, targetTps });
        left -= take;
      };
      while (left > 0) {
        push(3 - 2 * edge, base);
        push(edge, peakTps);
        push(2 - edge, peakTps);
        push(edge, base);
        push(edge, base);
      }
      return { name, startTps: base, stages };
    }
  }
}

export function profileDurationS(profile: RateProfile): number {
  return profile.stages.reduce((sum, s) => sum + s.durationS, 0);
}

export function peakTps(profile: RateProfile): number {
  return Math.max(profile.startTps, ...profile.stages.map((s) => s.targetTps));
}

/** How many transactions are due `tS` seconds into the profile (the rate's integral, floored). */
export function dueBy(profile: RateProfile, tS: number): number {
  let total = 0;
  let rate = profile.startTps;
  let left = Math.max(0, tS);
  for (const stage of profile.stages) {
    if (left <= 0) break;
    const d = Math.min(left, stage.durationS);
    const slope = stage.durationS > 0 ? (stage.targetTps - rate) / stage.durationS : 0;
    total += rate * d + (slope * d * d) / 2;
    left -= d;
    rate = stage.targetTps;
  }
  return Math.floor(total + 1e-9);
}

/** Transactions of the whole profile: what must be generated and encoded up front. */
export function totalTransactions(profile: RateProfile): number {
  return dueBy(profile, profileDurationS(profile));
}
