#!/usr/bin/env bash
# One entry point for every set-up step, so a fresh clone needs no manual work.
#   ./dev.sh serve [asu-graph serve options]   build, validate and serve (embedded store)
#   ./dev.sh test  [pytest options]            install everything the tests need, run them all
#   ./dev.sh bench [options]                   benchmarks (see docs/performance.md)
#   ./dev.sh lint                              ruff
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${ASU_VENV:-.venv}

log() { printf '[dev.sh] %s\n' "$*" >&2; }

ensure_venv() {
  local extras=$1 stamp
  stamp=$(cat pyproject.toml | sha256sum | cut -c1-16)-$extras
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  if [ "$(cat "$VENV/.asu-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "installing Python dependencies ($extras)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[$extras]"
    echo "$stamp" > "$VENV/.asu-stamp"
  fi
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
    virtuoso-opensource:virtuoso-t wrk:wrk
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
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    ensure_venv test
    ensure_test_tools
    exec "$VENV/bin/python" -m benchmarks "$@"
    ;;
  lint)
    ensure_venv test
    exec "$VENV/bin/ruff" check .
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] && exit 0 || exit 2
    ;;
esac
