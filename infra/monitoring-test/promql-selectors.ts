/**
 * Finds the vector selectors (metric name plus label matchers) in a PromQL expression, so tests can
 * check every metric a rule or panel reads against the metrics the scorer really exports. A small
 * tokenizer, not a full parser: Prometheus itself proves the expression is valid; this only has to
 * find names reliably in the expressions this repository writes. It throws on what it does not
 * understand rather than skipping it.
 */

export interface VectorSelector {
  /** The metric name, e.g. `fraud_dlq_total`. */
  name: string;
  /** The label matchers as written, including braces (`{reason="decode"}`), or '' if none. */
  matchers: string;
  /** `name` + `matchers`: an instant query for the selector on its own (no range, no offset). */
  text: string;
}

/** Every PromQL function and aggregation operator (Prometheus 2.x). Followed by `(`, never a metric. */
const FUNCTIONS = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'cos',
  'cosh',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'deg',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'mad_over_time',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'pi',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rad',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sin',
  'sinh',
  'sort',
  'sort_by_label',
  'sort_by_label_desc',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'tan',
  'tanh',
  'time',
  'timestamp',
  'vector',
  'year',
  // aggregation operators
  'avg',
  'bottomk',
  'count',
  'count_values',
  'group',
  'limit_ratio',
  'limitk',
  'max',
  'min',
  'quantile',
  'stddev',
  'stdvar',
  'sum',
  'topk',
]);

const AGGREGATIONS = new Set([
  'avg',
  'bottomk',
  'count',
  'count_values',
  'group',
  'limit_ratio',
  'limitk',
  'max',
  'min',
  'quantile',
  'stddev',
  'stdvar',
  'sum',
  'topk',
]);

/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([
  ...LABEL_LIST_KEYWORDS,
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

const IDENT_START = /[A-Za-z_:]/;
const IDENT_PART = /[A-Za-z0-9_:]/;

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

/** Index just past the string literal that starts at `start` (", ' or `). */
function skipString(expr: string, start: number): number {
  const quote = expr[start]!;
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i + 1;
  }
  throw new PromQLScanError(expr, start, 'unterminated string');
}

/** Index just past the bracket group that opens at `start`, skipping strings inside it. */
function skipGroup(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new PromQLScanError(expr, start, `unbalanced ${open}${close}`);
}

function skipSpaceAndComments(expr: string, start: number): number {
  let i = start;
  for (;;) {
    while (i < expr.length && /\s/.test(expr[i]!)) i++;
    if (expr[i] !== '#') return i;
    while (i < expr.length && expr[i] !== '\n') i++;
  }
}

/** The selectors of `expr` in order of appearance (duplicates kept). */
export function vectorSelectors(expr: string): VectorSelector[] {
  const selectors: VectorSelector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      i = skipSpaceAndComments(expr, i);
    } else if (c === '[') {
      i = skipGroup(expr, i, '[', ']'); // range or subquery: durations, no names
    } else if (c === '{') {
      // A selector without a leading name: only `{__name__="x"}` names a metric.
      const end = skipGroup(expr, i, '{', '}');
      const matchers = expr.slice(i, end);
      const named = /__name__\s*=\s*"([^"]+)"/.exec(matchers);
      if (!named) throw new PromQLScanError(expr, i, 'selector without a metric name');
      selectors.push({ name: named[1]!, matchers, text: matchers });
      i = end;
    } else if (/[0-9.]/.test(c)) {
      // A number or a duration (`0.25`, `1e3`, `6h`, `0x1f`): letters glued to it belong to it.
      while (i < expr.length && /[0-9A-Za-z_.+-]/.test(expr[i]!)) {
        if ((expr[i] === '+' || expr[i] === '-') && !/[eE]/.test(expr[i - 1]!)) break;
        i++;
      }
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < expr.length && IDENT_PART.test(expr[end]!)) end++;
      const word = expr.slice(i, end);
      const next = skipSpaceAndComments(expr, end);
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        // `by (a, b)`; group_left may stand without a list.
        i = expr[next] === '(' ? skipGroup(expr, next, '(', ')') : next;
      } else if (KEYWORDS.has(lower)) {
        i = end;
      } else if (FUNCTIONS.has(word) && (expr[next] === '(' || AGGREGATIONS.has(word))) {
        i = end; // its arguments are scanned as they come
      } else if (expr[next] === '(') {
        throw new PromQLScanError(expr, i, `unknown function ${word}`);
      } else {
        let matchers = '';
        let after = end;
        if (expr[next] === '{') {
          after = skipGroup(expr, next, '{', '}');
          matchers = expr.slice(next, after);
        }
        selectors.push({ name: word, matchers, text: word + matchers });
        i = after;
      }
    } else {
      i++;
    }
  }
  return selectors;
}

/** The metric names `expr` reads, sorted and unique. */
export function metricNames(expr: string): string[] {
  return [...new Set(vectorSelectors(expr).map((s) => s.name))].sort();
}
