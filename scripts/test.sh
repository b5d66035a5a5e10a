#!/usr/bin/env bash
# The test command (`make test`): installs what is missing, brings up the local stack, type-checks,
# runs every unit and integration test, and ends with one summary line `N passed, N failed`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/bootstrap.sh || exit 1
export PATH="$(scripts/ensure-node.sh):$PATH"
if [ -f services/trainer/python/requirements.txt ]; then
  FRAUD_PYTHON="$(scripts/ensure-venv.sh)" && export FRAUD_PYTHON
fi
infra/local/stack.sh up || exit 1
# Kafka's tools jars (the drain smoke test's JVM reference), fetched once into the cache, here
# rather than inside a test's time budget.
infra/local/stack.sh kafka-tools >/dev/null || exit 1

# The Terraform checks build their tools (OpenTofu, tflint, trivy) from the Go module proxy on
# the first run (~15 min cold, cached after): do that here, before the tests, so the test that
# runs the checks again (test/tf-check.test.ts) is quick and does not starve the others of CPU.
echo "== terraform offline checks (tools cached after the first run)"
scripts/tf-check.sh >/dev/null 2>.local/tf-check.log || echo "tf-check failed; test/tf-check.test.ts will report it (log: .local/tf-check.log)"

echo "== contracts: generated types up to date"
npx tsx libs/contracts/scripts/generate-types.ts --check || { echo "0 passed, 1 failed (stale generated contract types)"; exit 1; }

echo "== type-check (one project per workspace: the compiler enforces the declared package boundaries)"
node scripts/workspace-tsconfigs.mjs --check || { echo "0 passed, 1 failed (stale per-workspace tsconfig files)"; exit 1; }
npx tsc -b tsconfig.build.json || { echo "0 passed, 1 failed (type-check)"; exit 1; }

mkdir -p .local
results=.local/test-results.json
rm -f "$results"
echo "== vitest (unit + integration)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results"
status=$?
node scripts/test-summary.mjs "$results" || status=1
exit "$status"
