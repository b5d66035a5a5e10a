/**
 * Reads the monitoring files of this repository: Prometheus rules (infra/prometheus/rules) and
 * Grafana dashboards (infra/grafana/dashboards), and turns every PromQL expression in them into a
 * query Prometheus can run directly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const rulesDir = path.join(repoRoot, 'infra/prometheus/rules');
export const dashboardsDir = path.join(repoRoot, 'infra/grafana/dashboards');

export interface RuleDefinition {
  kind: 'record' | 'alert';
  /** The recorded series name or the alert name. */
  name: string;
  expr: string;
  file: string;
}

/**
 * The rules in the rule files, read without a YAML library (the repository has none): our rule
 * files write `- record:`/`- alert:` then `expr:` either on one line or as a `|` block. Anything else
 * throws, so a rule can never be skipped silently. The live test cross-checks this list against
 * Prometheus's own /api/v1/rules.
 */
export function readRules(dir = rulesDir): RuleDefinition[] {
  const rules: RuleDefinition[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
    let current: { kind: 'record' | 'alert'; name: string } | undefined;
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!;
      const head = /^\s*- (record|alert):\s*(\S+)\s*$/.exec(line);
      if (head) {
        if (current) throw new Error(`${file}:${n + 1}: rule ${current.name} has no expr`);
        current = { kind: head[1] as 'record' | 'alert', name: head[2]! };
        continue;
      }
      const exprLine = /^(\s*)expr:\s*(.*)$/.exec(line);
      if (!exprLine) continue;
      if (!current) throw new Error(`${file}:${n + 1}: expr outside a rule`);
      const value = exprLine[2]!.trim();
      let expr: string;
      if (value === '|' || value === '|-') {
        const indent = exprLine[1]!.length;
        const block: string[] = [];
        while (n + 1 < lines.length) {
          const nextLine = lines[n + 1]!;
          const nextIndent = /^\s*/.exec(nextLine)![0].length;
          if (nextLine.trim() !== '' && nextIndent <= indent) break;
          block.push(nextLine.trim());
          n++;
        }
        expr = block.join('\n').trim();
      } else if (value === '' || /^[>|'"]/.test(value)) {
        throw new Error(`${file}:${n + 1}: write expr on one line or as a '|' block`);
      } else {
        expr = value;
      }
      rules.push({ ...current, expr, file });
      current = undefined;
    }
    if (current) throw new Error(`${file}: rule ${current.name} has no expr`);
  }
  return rules;
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** The expression as stored in the dashboard (Grafana variables included). */
  raw: string;
  /** The expression with Grafana's variables replaced, ready for /api/v1/query. */
  promql: string;
}

export interface GrafanaPanel {
  id?: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr?: string; datasource?: { type?: string; uid?: string } }[];
  panels?: GrafanaPanel[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating?: {
    list: {
      name: string;
      type: string;
      datasource?: { type?: string; uid?: string };
      query?: string | { query: string };
      allValue?: string;
    }[];
  };
}

export function readDashboards(dir = dashboardsDir): { file: string; dashboard: GrafanaDashboard }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as GrafanaDashboard,
    }));
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/**
 * Grafana's built-in interval variables, replaced by what Grafana would pick for a short range at
 * a 1 s scrape interval. Every dashboard variable is multi-valued with allValue `.*`, so `.*` is
 * what "All" sends.
 */
const BUILTIN_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

export function grafanaToPromQL(expr: string, variables: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = BUILTIN_VARIABLES[name] ?? variables[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${match} in: ${expr}`);
    return value;
  });
}

/**
 * `label_values(metric, label)` (Grafana's variable query) as a PromQL instant query that returns
 * the same label values.
 */
export function labelValuesToPromQL(query: string): string {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$/.exec(query);
  if (!match) throw new Error(`unsupported variable query: ${query}`);
  return `group by (${match[2]}) (${match[1]})`;
}

/** Every panel query and every variable query of every dashboard. */
export function dashboardQueries(dir = dashboardsDir): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const { dashboard } of readDashboards(dir)) {
    const variables: Record<string, string> = {};
    for (const variable of dashboard.templating?.list ?? []) {
      variables[variable.name] = variable.allValue ?? '.*';
    }
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      const raw = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      queries.push({
        dashboard: dashboard.title,
        panel: `variable $${variable.name}`,
        refId: '-',
        raw,
        promql: labelValuesToPromQL(grafanaToPromQL(raw, variables)),
      });
    }
    for (const panel of allPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        if (!target.expr) continue;
        queries.push({
          dashboard: dashboard.title,
          panel: panel.title,
          refId: target.refId,
          raw: target.expr,
          promql: grafanaToPromQL(target.expr, variables),
        });
      }
    }
  }
  return queries;
}
