#!/usr/bin/env bash
# Installs everything the tests and the local stack need on a fresh Debian machine:
# system packages (Redis, Java, Maven, curl, Prometheus), Node 24, npm dependencies and the
# Python virtualenv for model training. Idempotent: a second run installs nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
# The analyst console's tests: a real PostgreSQL (started per test run) and a headless Chromium.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
[ -x /usr/lib/chromium/chromium ] || need_apt+=(chromium)
# LightGBM's wheel (the trainer's --lightgbm candidate) links the system OpenMP runtime.
/sbin/ldconfig -p 2>/dev/null | grep -q 'libgomp.so.1' || need_apt+=(libgomp1)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bootstrap: FAILED: missing system packages ${need_apt[*]}; install them with apt-get (needs root)" >&2
    exit 1
  fi
  echo "bootstrap: apt-get install ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

NODE_DIR="$(scripts/ensure-node.sh)"
export PATH="$NODE_DIR:$PATH"

# onnxruntime-node's install script would fetch a CUDA add-on from outside the registries; the CPU
# library ships inside the package. package.json denies the script; the variable covers older npm.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "bootstrap: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

if [ -f services/trainer/python/requirements.txt ]; then
  scripts/ensure-venv.sh >/dev/null
fi
