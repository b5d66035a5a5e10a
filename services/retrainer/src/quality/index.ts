/**
 * The live-quality exporter's metric contract, for the monitoring tests that check rules and
 * dashboards against the metric names it really registers.
 */
export { LiveQuality } from './live-quality.ts';
export { liveQualityRegistry } from './quality-metrics.ts';
