#!/usr/bin/env bash
# `make train`: simulate PaySim-format data, then train, export, verify and register a model.
#   TRAIN_TRANSACTIONS (default 1000000), TRAIN_SEED (42), TRAIN_DATA (.local/data/sim-<n>-<seed>.jsonl:
#   JSON lines keep exact times and the optional channel/device/country/category fields a CSV drops),
#   TRAIN_OUT (models), TRAIN_ARGS (extra `npm run train` options, e.g. "--max-depth 4 --rounds 100").
# The data is cached by (size, seed): the simulator is deterministic, so a second run skips it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$(scripts/ensure-node.sh):$PATH"
N="${TRAIN_TRANSACTIONS:-1000000}"
SEED="${TRAIN_SEED:-42}"
DATA="${TRAIN_DATA:-.local/data/sim-$N-$SEED.jsonl}"
OUT="${TRAIN_OUT:-models}"
FRAUD_PYTHON="${FRAUD_PYTHON:-$(scripts/ensure-venv.sh)}"
export FRAUD_PYTHON
start=$(date +%s)
if [ ! -s "$DATA" ]; then
  mkdir -p "$(dirname "$DATA")"
  echo "== simulate $N transactions (seed $SEED) -> $DATA"
  tmp="$DATA.tmp.${DATA##*.}"
  npm run -s simulate -- --transactions "$N" --seed "$SEED" --out "$tmp"
  mv "$tmp" "$DATA"
else
  echo "== using cached $DATA"
fi
echo "== train -> $OUT"
# shellcheck disable=SC2086 # TRAIN_ARGS is a list of options
npm run -s train -- --data "$DATA" --out "$OUT" ${TRAIN_ARGS:-}
echo "== make train finished in $(( $(date +%s) - start ))s (promote with: npm run promote -- --version <version>)"
