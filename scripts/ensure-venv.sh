#!/usr/bin/env bash
# Creates the Python virtualenv used only for XGBoost training and ONNX export, from pinned
# requirements; prints the path of its python. Re-creates it when the requirements change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
REQ="$ROOT/services/trainer/python/requirements.txt"
VENV="${FRAUD_VENV:-$CACHE_DIR/venv}"
hash="$(sha256sum "$REQ" | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.req-hash" 2>/dev/null)" != "$hash" ]; then
  echo "ensure-venv: creating $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2 \
    || { echo "ensure-venv: FAILED: pip install -r $REQ" >&2; exit 1; }
  echo "$hash" >"$VENV/.req-hash"
fi
echo "$VENV/bin/python"
