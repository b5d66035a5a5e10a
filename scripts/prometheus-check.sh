#!/usr/bin/env bash
# Offline checks of the monitoring config (`make monitoring-check`): the docker-compose scrape
# config, the same config with rule_files pointed at this checkout (so the globs really match the
# rule files), every rule file, and the promtool unit tests of every alert. Needs promtool
# (scripts/bootstrap.sh installs Debian's prometheus package).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROM_DIR="$ROOT/infra/prometheus"

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: run scripts/bootstrap.sh (installs the prometheus package)" >&2
  exit 1
fi

shopt -s nullglob
rules=("$PROM_DIR"/rules/*.yml)
tests=("$PROM_DIR"/tests/*.yml)
if [ "${#rules[@]}" -eq 0 ] || [ "${#tests[@]}" -eq 0 ]; then
  echo "no rule files or no rule tests under $PROM_DIR" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== promtool check config (docker-compose paths)"
promtool check config --syntax-only "$PROM_DIR/prometheus.yml"

echo "== promtool check config (rule_files resolved in this checkout)"
sed "s#/etc/prometheus/rules/#$PROM_DIR/rules/#" "$PROM_DIR/prometheus.yml" >"$tmp/prometheus.yml"
out="$(promtool check config "$tmp/prometheus.yml")"
echo "$out"
if ! grep -q "SUCCESS: ${#rules[@]} rule files found" <<<"$out"; then
  echo "prometheus.yml rule_files do not match the ${#rules[@]} files in infra/prometheus/rules" >&2
  exit 1
fi

echo "== promtool check rules"
promtool check rules "${rules[@]}"

echo "== every alert has a firing and a silent test case"
alerts="$(sed -nE 's/^[[:space:]]*-?[[:space:]]*alert:[[:space:]]*([A-Za-z0-9_]+).*/\1/p' "${rules[@]}" | sort -u)"
# One line per test case: "<alertname> fires" (exp_alerts with items) or "<alertname> silent" ([]).
cases="$(awk '
  /^[[:space:]]*alertname:/ { name = $2 }
  /^[[:space:]]*exp_alerts:[[:space:]]*\[\][[:space:]]*$/ { print name, "silent"; next }
  /^[[:space:]]*exp_alerts:[[:space:]]*$/ { print name, "fires" }
' "${tests[@]}" | sort -u)"
missing=0
for alert in $alerts; do
  for kind in fires silent; do
    if ! grep -qx "$alert $kind" <<<"$cases"; then
      echo "alert $alert has no '$kind' case in infra/prometheus/tests" >&2
      missing=1
    fi
  done
done
[ "$missing" -eq 0 ] || exit 1
echo "  $(wc -w <<<"$alerts") alerts, each with both cases"

echo "== promtool test rules"
# Run from the tests directory: rule_files in the tests are relative to it.
(cd "$PROM_DIR/tests" && promtool test rules "${tests[@]##*/}")
