#!/usr/bin/env bash
# Creates the virtualenv with the MLflow tracking server (kept apart from the trainer's venv, which
# only has the client); prints the path of its `mlflow` executable. Re-created when the pinned
# requirements change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/venv.sh
source "$ROOT/scripts/lib/venv.sh"
CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
ensure_venv ensure-mlflow-venv "$ROOT/services/retrainer/python/requirements-mlflow-server.txt" \
  "${FRAUD_MLFLOW_VENV:-$CACHE_DIR/mlflow-venv}" mlflow "first run ~1 min"
