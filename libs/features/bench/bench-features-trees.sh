#!/usr/bin/env bash
# Runs `bench:features` for several source trees in turn, ROUNDS times, against ONE Redis, so
# before/after figures come from the same run and the same server (ratios, not absolute figures,
# are what a shared machine can compare). A tree is a checkout with node_modules, e.g.
#   git archive <commit> | tar -x -C /tmp/base && cp -al node_modules /tmp/base/
# Use a private Redis (REDIS_URL) so other clients' commands do not count as script CPU.
#
# usage: bench-features-trees.sh ROUNDS OUTDIR name=DIR [name=DIR ...] [-- bench args]
#   writes OUTDIR/<name>-<round>.json and prints one line per run.
set -euo pipefail
rounds=$1 out=$2
shift 2
trees=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do trees+=("$1"); shift; done
[ $# -gt 0 ] && shift
[ ${#trees[@]} -gt 0 ] || { echo "usage: $0 ROUNDS OUTDIR name=DIR [name=DIR ...] [-- bench args]" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
export PATH="$("$ROOT/scripts/ensure-node.sh"):$PATH"
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for t in "${trees[@]}"; do
    name=${t%%=*} dir=${t#*=}
    (cd "$dir" && npx tsx libs/features/bench/bench-features.ts --json "$out/$name-$r.json" "$@" >/dev/null)
    echo "$name round $r (load $(cut -d' ' -f1 /proc/loadavg)): $(tr -d '\n ' <"$out/$name-$r.json")"
  done
done
