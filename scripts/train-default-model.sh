#!/usr/bin/env bash
# `npm run model:default`: regenerate the feature-set fingerprint from the formula sources, then
# retrain the committed default model (models/$DEFAULT_MODEL_VERSION) from the simulator, the same
# way every time: fresh simulated data (seed 42), fixed parameters and seed, balances withheld,
# judged on the shared real PaySim rows. Run it whenever libs/features formulas or the Redis Lua
# script change (the fingerprint unit test fails until you do). ~5-8 min on 2 cores.
#   DEFAULT_MODEL_TRANSACTIONS (500000), DEFAULT_MODEL_SEED (42), DEFAULT_MODEL_DAYS (3: PaySim's
#   density, ~7,000 rows an hour, so hour/day windows and destination reuse look like the real rows),
#   PAYSIM_REAL (../shared/data/paysim-first-50k.csv beside the repository; skipped with a
#   warning if absent: the model card then has no sim->real row).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$(scripts/ensure-node.sh):$PATH"
VERSION=sim-v3-nobal
N="${DEFAULT_MODEL_TRANSACTIONS:-500000}"
SEED="${DEFAULT_MODEL_SEED:-42}"
DAYS="${DEFAULT_MODEL_DAYS:-3}"
REAL="${PAYSIM_REAL:-$ROOT/../shared/data/paysim-first-50k.csv}"
WORK="$ROOT/.local/model-default"
FRAUD_PYTHON="${FRAUD_PYTHON:-$(scripts/ensure-venv.sh)}"
export FRAUD_PYTHON
start=$(date +%s)

echo "== feature-set fingerprint"
npm run -s features:fingerprint

rm -rf "$WORK" && mkdir -p "$WORK/models"
# Always simulate afresh: a cache keyed by size and seed would hide a changed simulator.
echo "== simulate $N transactions over $DAYS days (seed $SEED)"
npm run -s simulate -- --transactions "$N" --seed "$SEED" --days "$DAYS" --out "$WORK/sim.jsonl"

evaluate=()
if [ -s "$REAL" ]; then evaluate=(--evaluate-on "$REAL"); else echo "!! $REAL missing: no sim->real evaluation" >&2; fi
echo "== train $VERSION"
npm run -s train -- --data "$WORK/sim.jsonl" --out "$WORK/models" --version "$VERSION" \
  --without-balances --seed 42 --nthread 2 "${evaluate[@]}"

rm -rf "models/$VERSION"
mv "$WORK/models/$VERSION" "models/$VERSION"
cp "$WORK/models/registry.json" models/registry.json
rm -rf "$WORK"
echo "== models/$VERSION is the champion in models/registry.json ($(( $(date +%s) - start ))s); commit models/ and libs/features/src/fingerprint.generated.ts"
