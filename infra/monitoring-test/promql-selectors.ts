/**
 * Finds the vector selectors (metric name plus label matchers) in a PromQL expression, so tests can
 * check every metric a rule or panel reads against the metrics the scorer really exports. Parsed
 * with Prometheus's own Lezer grammar (`@prometheus-io/lezer-promql`, the one its web UI uses);
 * a syntax error throws rather than being skipped.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

export interface VectorSelector {
  /** The metric name, e.g. `fraud_dlq_total`. */
  name: string;
  /** The label matchers as written, including braces (`{reason="decode"}`), or '' if none. */
  matchers: string;
  /** `name` + `matchers`: an instant query for the selector on its own (no range, no offset). */
  text: string;
}

export class PromQLScanError extends Error {
  constructor(
    readonly expr: string,
    readonly position: number,
    message: string,
  ) {
    super(`${message} at ${position} in: ${expr}`);
    this.name = 'PromQLScanError';
  }
}

/** Says what is wrong at a syntax error: an unknown function parses as a name followed by `(`. */
function syntaxProblem(expr: string, position: number): string {
  const unknownFunction = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(expr.slice(0, position));
  if (expr[position] === '(' && unknownFunction) return `unknown function ${unknownFunction[1]}`;
  return 'syntax error';
}

/** The `__name__="x"` matcher's value, for a selector written without a leading name. */
function nameMatcher(expr: string, matchers: SyntaxNode): string | undefined {
  for (let m = matchers.firstChild; m; m = m.nextSibling) {
    const label = m.getChild('LabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (label && op?.getChild('EqlSingle') && value && expr.slice(label.from, label.to) === '__name__') {
      return JSON.parse(expr.slice(value.from, value.to).replace(/^'|'$/g, '"')) as string;
    }
  }
  return undefined;
}

/** The selectors of `expr` in order of appearance (duplicates kept). */
export function vectorSelectors(expr: string): VectorSelector[] {
  const selectors: VectorSelector[] = [];
  let error: number | undefined;
  parser.parse(expr).iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        error ??= ref.from;
        return false;
      }
      if (ref.name !== 'VectorSelector') return undefined;
      const node = ref.node;
      const identifier = node.getChild('Identifier');
      const labelMatchers = node.getChild('LabelMatchers');
      const matchers = labelMatchers ? expr.slice(labelMatchers.from, labelMatchers.to) : '';
      if (identifier) {
        const name = expr.slice(identifier.from, identifier.to);
        selectors.push({ name, matchers, text: name + matchers });
      } else {
        const name = labelMatchers ? nameMatcher(expr, labelMatchers) : undefined;
        if (name === undefined) throw new PromQLScanError(expr, ref.from, 'selector without a metric name');
        selectors.push({ name, matchers, text: matchers });
      }
      return undefined;
    },
  });
  if (error !== undefined) throw new PromQLScanError(expr, error, syntaxProblem(expr, error));
  return selectors;
}

/** The metric names `expr` reads, sorted and unique. */
export function metricNames(expr: string): string[] {
  return [...new Set(vectorSelectors(expr).map((s) => s.name))].sort();
}
