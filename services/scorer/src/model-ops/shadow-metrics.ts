import type { Thresholds } from '@fraud/contracts';
import type { FeatureMatrix } from '@fraud/features';
import type { DriftReference } from '@fraud/model';
import type { ScorerMetrics } from '@fraud/observability';

/** What one processed chunk tells the model metrics. */
export interface ScoredChunk {
  /** The chunk's feature rows (valid transactions only), in the champion's input order. */
  features: FeatureMatrix;
  champion: {
    version: string;
    thresholds: Thresholds;
    scores: Float32Array;
    driftReference?: DriftReference | undefined;
  };
  challenger?: { version: string; thresholds: Thresholds; scores: Float32Array } | undefined;
  /** Flagged rows that got reason codes. */
  explained: number;
  stageMs: { shadow: number; explain: number };
}

/** Receives every processed chunk; the batch processor calls it synchronously. */
export interface ChunkObserver {
  onChunk(chunk: ScoredChunk): void;
}

/**
 * A ring of the last `size` agree/disagree outcomes with a running count, so the ratio costs O(1)
 * per transaction however large the window.
 */
export class AgreementWindow {
  private readonly ring: Uint8Array;
  private next = 0;
  private filled = 0;
  private agreed = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be >= 1, got ${size}`);
    this.ring = new Uint8Array(size);
  }

  push(agree: boolean): void {
    const bit = agree ? 1 : 0;
    if (this.filled === this.size) this.agreed -= this.ring[this.next]!;
    else this.filled++;
    this.ring[this.next] = bit;
    this.agreed += bit;
    this.next = (this.next + 1) % this.size;
  }

  get count(): number {
    return this.filled;
  }

  /** Agreement ratio over the window; NaN while empty. */
  get ratio(): number {
    return this.filled === 0 ? Number.NaN : this.agreed / this.filled;
  }
}

/**
 * Model metrics per chunk: score histograms per model and role, the champion/challenger
 * agreement ratio (flagged vs not, each model at its OWN review threshold) over a rolling window
 * of transactions, reason-code counts and the shadow/explain stage times. The window restarts
 * when either model changes, and the old pair's gauge series is removed.
 *
 * Chunks are observed when processed, before their Kafka transaction commits: a chunk retried
 * after a dependency failure is counted again. The ratio is a monitoring signal; the exact
 * comparison against labels is `npm run compare-models`.
 */
export class ShadowMetrics implements ChunkObserver {
  private window: AgreementWindow;
  private pair: { champion: string; challenger: string } | undefined;

  constructor(
    private readonly metrics: ScorerMetrics,
    private readonly windowSize: number,
  ) {
    this.window = new AgreementWindow(windowSize);
  }

  onChunk(chunk: ScoredChunk): void {
    const { metrics } = this;
    const { champion, challenger } = chunk;
    const championHistogram = metrics.modelScore.labels({ model_version: champion.version });
    for (const s of champion.scores) championHistogram.observe(s);
    if (chunk.explained > 0) metrics.explainedRows.inc({ model_version: champion.version }, chunk.explained);
    if (!challenger) {
      if (this.pair) metrics.challengerAgreement.remove(this.pair);
      this.pair = undefined;
      return;
    }

    const challengerHistogram = metrics.challengerScore.labels({ model_version: challenger.version });
    if (this.pair?.champion !== champion.version || this.pair.challenger !== challenger.version) {
      if (this.pair) metrics.challengerAgreement.remove(this.pair);
      this.pair = { champion: champion.version, challenger: challenger.version };
      this.window = new AgreementWindow(this.windowSize);
    }
    const reviewA = champion.thresholds.review;
    const reviewB = challenger.thresholds.review;
    for (let i = 0; i < champion.scores.length; i++) {
      const a = champion.scores[i]!;
      const b = challenger.scores[i]!;
      challengerHistogram.observe(b);
      // NaN scores are flagged (decide() sends them to REVIEW): the comparison does the same.
      this.window.push(!(a < reviewA) === !(b < reviewB));
    }
    metrics.challengerAgreement.set(this.pair, this.window.ratio);
  }
}
