import { describe, expect, it } from 'vitest';
import {
  PROMETHEUS_SERIES,
  apiRegistryFamilies,
  familySampleNames,
  liveQualityRegistryFamilies,
  parseExpositionFamilies,
  pendingFamilies,
  scorerRegistryFamilies,
  unknownMetricNames,
} from './metric-catalog.ts';
import {
  allPanels,
  dashboardQueries,
  grafanaToPromQL,
  labelValuesToPromQL,
  readDashboards,
  readRules,
} from './monitoring-files.ts';
import { PromQLScanError, metricNames, vectorSelectors } from './promql-selectors.ts';

// Offline checks of the rules and dashboards against the scorer's metric contract. The live test
// (dashboards.int.test.ts) runs the same expressions through a real Prometheus scraping a real
// scorer.

async function knownNames(): Promise<Set<string>> {
  const exported = await scorerRegistryFamilies();
  return new Set([
    ...familySampleNames(exported),
    ...familySampleNames(await apiRegistryFamilies()),
    ...familySampleNames(await liveQualityRegistryFamilies()),
    ...familySampleNames(pendingFamilies(exported)),
    ...PROMETHEUS_SERIES,
    ...readRules()
      .filter((r) => r.kind === 'record')
      .map((r) => r.name),
  ]);
}

describe('PromQL selector scan', () => {
  it('finds metric names, not functions, keywords, label names, strings or durations', () => {
    const expr = `
      histogram_quantile(0.99, sum by (job, le) (rate(fraud_e2e_latency_seconds_bucket{from="append_time"}[5m])))
      > 0.25 and on (job) job:fraud_transactions_scored:rate5m offset 6h > 1e3
      or absent(up{job="fraud-scorer", instance=~"a|b"}) unless sum without (x) (foo) * on () group_left (y) bar
      or label_replace(baz, "dst", "$1 rate(nope)", "src", "(.*)") or max(qux) by (z) or 0x1f or -2.5e-3`;
    expect(metricNames(expr)).toEqual([
      'bar',
      'baz',
      'foo',
      'fraud_e2e_latency_seconds_bucket',
      'job:fraud_transactions_scored:rate5m',
      'qux',
      'up',
    ]);
    expect(vectorSelectors('up{job="fraud-scorer"} == 0 or absent(up{job="fraud-scorer"})')).toEqual([
      { name: 'up', matchers: '{job="fraud-scorer"}', text: 'up{job="fraud-scorer"}' },
      { name: 'up', matchers: '{job="fraud-scorer"}', text: 'up{job="fraud-scorer"}' },
    ]);
    expect(metricNames('{__name__="fraud_scorer_ready", job="x"}')).toEqual(['fraud_scorer_ready']);
  });

  it('refuses what it cannot read instead of skipping it', () => {
    expect(() => vectorSelectors('rate(x[5m]')).toThrow(/syntax error/);
    expect(() => vectorSelectors('up{job="x}')).toThrow(PromQLScanError);
    expect(() => vectorSelectors('made_up_function(up)')).toThrow(/unknown function/);
    expect(() => vectorSelectors('{job="x"}')).toThrow(/without a metric name/);
  });
});

describe('Grafana query translation', () => {
  it('replaces interval and dashboard variables and refuses unknown ones', () => {
    expect(grafanaToPromQL('rate(x{m=~"$model_version"}[$__rate_interval])', { model_version: '.*' })).toBe(
      'rate(x{m=~".*"}[1m])',
    );
    expect(grafanaToPromQL('x{m=~"${model_version:regex}"}', { model_version: '.*' })).toBe('x{m=~".*"}');
    expect(() => grafanaToPromQL('x{m="$nope"}', {})).toThrow(/unknown Grafana variable/);
    expect(labelValuesToPromQL('label_values(fraud_model_info, model_version)')).toBe(
      'group by (model_version) (fraud_model_info)',
    );
  });
});

describe('rule files', () => {
  const rules = readRules();

  it('define the recording rules and alerts the dashboards and runbooks rely on', () => {
    const alerts = rules.filter((r) => r.kind === 'alert').map((r) => r.name);
    expect(alerts.sort()).toEqual([
      'FraudAlertRateAnomalous',
      'FraudApiDown',
      'FraudApiErrorRateHigh',
      'FraudApiLatencyP99High',
      'FraudApiShedding',
      'FraudConsumerLagGrowing',
      'FraudDeadLetterRateHigh',
      'FraudDependencyRetries',
      'FraudE2ELatencyP99High',
      'FraudFeatureDrift',
      'FraudNoDecisions',
      'FraudRedisErrors',
      'FraudScoreDrift',
      'FraudScorerDown',
      'FraudScorerNotReady',
    ]);
    const records = rules.filter((r) => r.kind === 'record').map((r) => r.name);
    expect(new Set(records).size).toBe(records.length);
    expect(records).toContain('job_from:fraud_e2e_latency_seconds:p99_5m');
  });

  it('read only metrics the scorer or the API exports (or is about to), Prometheus series and recorded series', async () => {
    const known = await knownNames();
    const unknown = rules
      .map((r) => ({ rule: r.name, unknown: unknownMetricNames(r.expr, known) }))
      .filter((r) => r.unknown.length > 0);
    expect(unknown).toEqual([]);
  });

  it('a misspelt metric name is caught', async () => {
    const known = await knownNames();
    expect(unknownMetricNames('sum(rate(fraud_transaction_scored_total[5m]))', known)).toEqual([
      'fraud_transaction_scored_total',
    ]);
    expect(unknownMetricNames('histogram_quantile(0.9, rate(fraud_e2e_latency_seconds[5m]))', known)).toEqual(
      [
        'fraud_e2e_latency_seconds', // a histogram is read through _bucket
      ],
    );
  });
});

describe('dashboards', () => {
  const dashboards = readDashboards();

  it('are the overview, model and API dashboards, provisioned against the prometheus datasource', () => {
    expect(dashboards.map((d) => d.dashboard.title).sort()).toEqual([
      'Fraud scorer — API',
      'Fraud scorer — model',
      'Fraud scorer — overview',
    ]);
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.schemaVersion, file).toBeGreaterThanOrEqual(36);
      expect(dashboard.uid, file).toMatch(/^[a-z0-9-]{1,40}$/);
      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: duplicate panel ids`).toBe(ids.length);
      for (const panel of panels) {
        const where = `${file}: ${panel.title}`;
        expect(panel.gridPos, where).toBeDefined();
        expect(panel.gridPos!.x + panel.gridPos!.w, where).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect(panel.datasource?.uid, where).toBe('prometheus');
        expect(panel.targets?.length, where).toBeGreaterThan(0);
        const refIds = panel.targets!.map((t) => t.refId);
        expect(new Set(refIds).size, where).toBe(refIds.length);
        for (const target of panel.targets!) {
          expect(target.datasource?.uid ?? 'prometheus', where).toBe('prometheus');
          expect(target.expr, where).toBeTruthy();
        }
      }
      for (const variable of dashboard.templating?.list ?? []) {
        expect(variable.datasource?.uid, `${file}: $${variable.name}`).toBe('prometheus');
      }
    }
  });

  it('show what operators asked for', () => {
    const titles = (name: string) =>
      allPanels(dashboards.find((d) => d.dashboard.title === name)!.dashboard).map((p) => p.title);
    expect(titles('Fraud scorer — overview')).toEqual(
      expect.arrayContaining([
        'Throughput',
        'Decisions by outcome',
        'Alert rate',
        'End-to-end latency, broker append to decision',
        'Consumer lag per partition',
        'Dead letters by reason',
        'Redis errors and dependency retries',
        'Stage latency p99 (per batch)',
        'Batch size',
        'Readiness per instance',
        'Model in use',
      ]),
    );
    expect(titles('Fraud scorer — model')).toEqual(
      expect.arrayContaining([
        'Decisions by outcome (share)',
        'Challenger score distribution',
        'Feature PSI',
        'Score PSI',
        'Missing ratio per feature',
        'Champion vs challenger agreement over time',
        'Live precision on labelled traffic',
        'Live recall on labelled traffic',
        'Labelled transactions and frauds',
      ]),
    );
    expect(titles('Fraud scorer — API')).toEqual(
      expect.arrayContaining([
        'Requests by status',
        'Request latency (answered scoring requests)',
        'Errors by class',
        '5xx and shed ratios',
        'Micro-batch size',
        'Event-loop delay',
        'GC pause time',
      ]),
    );
  });

  it('query only known metrics', async () => {
    const known = await knownNames();
    const unknown = dashboardQueries()
      .map((q) => ({ panel: `${q.dashboard} / ${q.panel}`, unknown: unknownMetricNames(q.promql, known) }))
      .filter((q) => q.unknown.length > 0);
    expect(unknown).toEqual([]);
  });
});

describe('exposition parsing', () => {
  it('reads families from # TYPE lines, so histogram samples map to _bucket/_sum/_count', () => {
    const families = parseExpositionFamilies(
      '# HELP a_total x\n# TYPE a_total counter\na_total 1\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\n',
    );
    expect([...familySampleNames(families)].sort()).toEqual(['a_total', 'h_bucket', 'h_count', 'h_sum']);
  });
});
