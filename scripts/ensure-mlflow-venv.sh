#!/usr/bin/env bash
# Creates the virtualenv with the MLflow tracking server (kept apart from the trainer's venv, which
# only has the client); prints the path of its `mlflow` executable. Re-created when the pinned
# requirements change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
REQ="$ROOT/services/retrainer/python/requirements-mlflow-server.txt"
VENV="${FRAUD_MLFLOW_VENV:-$CACHE_DIR/mlflow-venv}"
hash="$(sha256sum "$REQ" | cut -c1-16)"
if [ ! -x "$VENV/bin/mlflow" ] || [ "$(cat "$VENV/.req-hash" 2>/dev/null)" != "$hash" ]; then
  echo "ensure-mlflow-venv: creating $VENV (first run ~1 min)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2 \
    || { echo "ensure-mlflow-venv: FAILED: pip install -r $REQ" >&2; exit 1; }
  echo "$hash" >"$VENV/.req-hash"
fi
echo "$VENV/bin/mlflow"
