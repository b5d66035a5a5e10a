#!/usr/bin/env bash
# Offline checks of terraform/ (no provider downloads, so no init/validate/plan):
#   1. fmt -check      terraform on PATH, else OpenTofu built from the Go module proxy
#   2. tflint          bundled terraform ruleset only (terraform/.tflint.hcl)
#   3. trivy config    zero HIGH or CRITICAL findings; exceptions are #trivy:ignore comments at the resource
# Tools are built once with `go install` into the cache (outside git), named by version, so a
# second run builds nothing and a version bump here rebuilds. Exits non-zero naming each failed check.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOFU_VERSION=v1.6.3
TFLINT_VERSION=v0.64.0
TRIVY_VERSION=v0.74.0

CACHE_DIR="${FRAUD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fraud-scorer}"
BIN="$CACHE_DIR/bin"
mkdir -p "$BIN"

log() { echo "tf-check: $*" >&2; }

# go_tool <name> <module path>@<version> <extra ldflags> [env...]: prints the cached binary,
# building it (stripped, with its version stamped) if missing.
go_tool() {
  local name="$1" pkg="$2" version="${2##*@}" ldflags="-s -w $3"
  shift 3
  local target="$BIN/$name-$version"
  if [ -x "$target" ]; then echo "$target"; return 0; fi
  command -v go >/dev/null 2>&1 || { log "go not found: install Go >= 1.25 to build $name"; return 1; }
  local tmp
  tmp="$(mktemp -d)"
  log "building $name $version with go install (once; cached in $BIN)"
  local start=$SECONDS
  if ! env "$@" GOBIN="$tmp" go install -ldflags="$ldflags" "$pkg" >"$tmp/build.log" 2>&1; then
    tail -n 20 "$tmp/build.log" >&2
    log "go install $pkg failed"
    rm -rf "$tmp"
    return 1
  fi
  mv "$tmp/$name" "$target"
  rm -rf "$tmp"
  log "built $name $version in $((SECONDS - start))s"
  echo "$target"
}

failed=()

# 1. Formatting. Any Terraform or OpenTofu formats HCL the same way for these files.
fmt_bin=""
if command -v terraform >/dev/null 2>&1; then
  fmt_bin="$(command -v terraform)"
elif command -v tofu >/dev/null 2>&1; then
  fmt_bin="$(command -v tofu)"
else
  fmt_bin="$(go_tool tofu "github.com/opentofu/opentofu/cmd/tofu@$TOFU_VERSION" \
    "-X github.com/opentofu/opentofu/version.dev=no")" || fmt_bin=""
fi
if [ -z "$fmt_bin" ]; then
  failed+=("fmt (no terraform/tofu binary)")
else
  # A CLI config path that does not exist only produces a warning on every call.
  if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
  log "fmt -check ($("$fmt_bin" version 2>/dev/null | head -n 1))"
  "$fmt_bin" fmt -check -recursive -diff terraform/ || failed+=("fmt: run '$(basename "$fmt_bin") fmt -recursive terraform/'")
fi

# 2. tflint with the ruleset bundled in the binary (plugins cannot be downloaded offline).
if tflint_bin="$(go_tool tflint "github.com/terraform-linters/tflint@$TFLINT_VERSION" "")"; then
  log "tflint $TFLINT_VERSION"
  (cd terraform && "$tflint_bin" --recursive --config "$ROOT/terraform/.tflint.hcl" --format compact) || failed+=("tflint")
else
  failed+=("tflint (build)")
fi

# 3. trivy with its embedded checks. Trivy v0.74 imports encoding/json/v2, still an experiment in Go 1.25/1.26.
if trivy_bin="$(go_tool trivy "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION" \
  "-X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" GOEXPERIMENT=jsonv2)"; then
  log "trivy config $TRIVY_VERSION (HIGH, CRITICAL)"
  "$trivy_bin" config --quiet --skip-check-update --cache-dir "$CACHE_DIR/trivy-cache" \
    --severity HIGH,CRITICAL --exit-code 1 terraform/ || failed+=("trivy config: HIGH/CRITICAL findings")
else
  failed+=("trivy (build)")
fi

if [ "${#failed[@]}" -gt 0 ]; then
  for f in "${failed[@]}"; do log "FAILED: $f"; done
  exit 1
fi
log "all checks passed"
