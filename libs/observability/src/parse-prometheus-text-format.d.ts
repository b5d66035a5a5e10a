// The package ships no types; this is the part of its output that exposition.ts reads.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
