#!/usr/bin/env bash
# One entry point for every set-up step, so a fresh clone needs no manual work.
#   ./dev.sh serve [asu-graph serve options]   build, validate and serve (embedded store)
#   ./dev.sh test  [pytest options]            install everything the tests need, run them all
#   ./dev.sh bench [options]                   benchmarks (see docs/performance.md)
#   ./dev.sh lint                              ruff, ruff format, import layers
#   ./dev.sh lock                              refresh requirements.lock from pyproject.toml
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${ASU_VENV:-.venv}

log() { printf '[dev.sh] %s\n' "$*" >&2; }

ensure_venv() {
  # Exact versions with hashes from requirements.lock (made from pyproject.toml's
  # ranges by `./dev.sh lock`), then the package itself.
  local extras=$1 stamp
  stamp=$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)-$extras
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  if [ "$(cat "$VENV/.asu-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "installing Python dependencies from requirements.lock"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --require-hashes -r requirements.lock
    "$VENV/bin/python" -m pip install --quiet --no-deps -e .
    echo "$stamp" > "$VENV/.asu-stamp"
  fi
}

lint() {
  # Style, formatting and the import layers (ARCHITECTURE.md) before any test.
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  "$VENV/bin/lint-imports" --no-cache
}

apt_install() {
  # Debian packages the tests drive for real (browser, triple store, load generator).
  local missing=()
  for spec in "$@"; do
    local pkg=${spec%%:*} cmd=${spec##*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_node() {
  [ -f package.json ] || return 0
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

ensure_test_tools() {
  apt_install chromium:chromium chromium-driver:chromedriver \
    virtuoso-opensource:virtuoso-t wrk:wrk nginx-light:nginx
  ensure_node
}

cmd=${1:-help}
shift || true
case "$cmd" in
  serve)
    ensure_venv test
    ensure_node
    exec "$VENV/bin/asu-graph" serve "$@"
    ;;
  test)
    ensure_venv test
    ensure_test_tools
    lint
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    ensure_venv test
    ensure_test_tools
    exec "$VENV/bin/python" -m benchmarks "$@"
    ;;
  lint)
    ensure_venv test
    lint
    ;;
  lock)
    # After changing a dependency range in pyproject.toml.
    ensure_venv test
    "$VENV/bin/python" -m pip install --quiet "uv>=0.5"
    exec "$VENV/bin/uv" pip compile pyproject.toml --extra test --extra bench \
      --generate-hashes --python-version 3.11 --quiet -o requirements.lock
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] && exit 0 || exit 2
    ;;
esac
