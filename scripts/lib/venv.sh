# shellcheck shell=bash
# Sourced by scripts/ensure-*venv.sh: one way to build a cached virtualenv from pinned requirements.

# ensure_venv <label> <requirements file> <venv dir> <executable in bin/> [note shown on creation]
# Prints the path of <venv dir>/bin/<executable>. (Re-)creates the venv when the executable is
# missing or the requirements file changed since the last install (hash in <venv dir>/.req-hash).
ensure_venv() {
  local label="$1" req="$2" venv="$3" exe="$4" note="${5:-}"
  local hash
  hash="$(sha256sum "$req" | cut -c1-16)"
  if [ ! -x "$venv/bin/$exe" ] || [ "$(cat "$venv/.req-hash" 2>/dev/null)" != "$hash" ]; then
    echo "$label: creating $venv${note:+ ($note)}" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2 \
      || { echo "$label: FAILED: pip install -r $req" >&2; return 1; }
    echo "$hash" >"$venv/.req-hash"
  fi
  echo "$venv/bin/$exe"
}
