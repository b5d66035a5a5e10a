#!/usr/bin/env bash
# Creates the Python virtualenv used only for XGBoost training and ONNX export, from pinned
# requirements; prints the path of its python. Re-creates it when the requirements change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/venv.sh
source "$ROOT/scripts/lib/venv.sh"
CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
ensure_venv ensure-venv "$ROOT/services/trainer/python/requirements.txt" "${FRAUD_VENV:-$CACHE_DIR/venv}" python
