import { DriftMonitor } from '@fraud/model';
import type { ScorerMetrics } from '@fraud/observability';
import type { ChunkObserver, ScoredChunk } from './shadow-metrics.ts';

/**
 * Feeds every scored chunk into a rolling-window drift monitor for the champion and publishes
 * PSI per feature, the score's PSI and live missing ratios. Observing costs a binary search per
 * value; PSI itself is computed only when Prometheus scrapes, off the hot path. A new champion
 * (hot reload) starts a new window against its own training reference, and the old version's
 * series are removed.
 */
export class DriftMetrics implements ChunkObserver {
  private monitor: DriftMonitor | undefined;
  private version: string | undefined;

  constructor(
    private readonly metrics: ScorerMetrics,
    private readonly windowRows = 20_000,
    /** PSI over a handful of rows is noise; publish only once the window holds this many. */
    private readonly minRows = 500,
  ) {
    metrics.registerDriftCollector(() => this.publish());
  }

  onChunk(chunk: ScoredChunk): void {
    const { version, driftReference, scores } = chunk.champion;
    if (version !== this.version) {
      this.clearSeries();
      this.version = version;
      this.monitor = driftReference ? new DriftMonitor(driftReference, this.windowRows) : undefined;
    }
    this.monitor?.observe(chunk.features.data, chunk.features.rows, scores);
  }

  private publish(): void {
    const monitor = this.monitor;
    if (!monitor || !this.version || monitor.observedRows < this.minRows) return;
    const snapshot = monitor.snapshot();
    for (const feature of snapshot.features) {
      const labels = { feature: feature.name, model_version: this.version };
      this.metrics.featurePsi.set(labels, feature.psi);
      this.metrics.featureMissingRatio.set(labels, feature.missingRatio);
    }
    this.metrics.scorePsi.set({ model_version: this.version }, snapshot.scorePsi);
  }

  private clearSeries(): void {
    this.metrics.featurePsi.reset();
    this.metrics.featureMissingRatio.reset();
    this.metrics.scorePsi.reset();
  }
}
