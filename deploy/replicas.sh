#!/usr/bin/env bash
# Stateless asu-graph front ends before one triple store (see docs/deployment.md).
#
#   deploy/replicas.sh start SPARQL_URL PORT [PORT...]   one `asu-graph serve --store SPARQL_URL
#                                                        --port PORT` per port, in the background
#   deploy/replicas.sh status                            which replicas run, and their answers
#   deploy/replicas.sh stop                              stop every replica started from RUN_DIR
#
# Settings are the usual ASU_* environment variables (credentials for the store
# in ASU_STORE_USER / ASU_STORE_PASSWORD or ASU_STORE_TOKEN). Also read:
#   ASU_RUN_DIR   where PID files, logs and dumps go        [./run]
#   ASU_GRAPH     the asu-graph command                      [asu-graph]
#   ASU_HOST      address the replicas bind to               [127.0.0.1]
#   ASU_READY_TIMEOUT  seconds to wait for each replica      [120]
set -euo pipefail

RUN_DIR=${ASU_RUN_DIR:-./run}
ASU_GRAPH=${ASU_GRAPH:-asu-graph}
HOST=${ASU_HOST:-127.0.0.1}
READY_TIMEOUT=${ASU_READY_TIMEOUT:-120}

log() { printf '[replicas] %s\n' "$*" >&2; }

ready() {  # PORT PID: wait until the replica answers a query, or fail
  local port=$1 pid=$2 waited=0
  until curl -fsS -o /dev/null "http://$HOST:$port/sparql?query=ASK%7B%7D"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "replica on port $port exited; see $RUN_DIR/replica-$port.log"
      return 1
    fi
    if [ "$waited" -ge $((READY_TIMEOUT * 10)) ]; then
      log "replica on port $port did not answer within ${READY_TIMEOUT}s"
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

start() {
  [ $# -ge 2 ] || { log "usage: $0 start SPARQL_URL PORT [PORT...]"; exit 2; }
  local store=$1; shift
  mkdir -p "$RUN_DIR"
  local port pid
  for port in "$@"; do
    if [ -f "$RUN_DIR/replica-$port.pid" ] && kill -0 "$(cat "$RUN_DIR/replica-$port.pid")" 2>/dev/null; then
      log "a replica already runs on port $port (PID $(cat "$RUN_DIR/replica-$port.pid"))"
      exit 1
    fi
    # Each replica leads its own process group (server main process and workers),
    # so `stop` ends all of it by that one PID.
    setsid "$ASU_GRAPH" serve --store "$store" --host "$HOST" --port "$port" \
      --out-dir "$RUN_DIR/out-$port" >"$RUN_DIR/replica-$port.log" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN_DIR/replica-$port.pid"
    log "replica on port $port started (PID $pid)"
  done
  for port in "$@"; do
    ready "$port" "$(cat "$RUN_DIR/replica-$port.pid")" || { stop; exit 4; }
    log "replica on http://$HOST:$port/sparql answers"
  done
}

stop() {
  local file pid
  for file in "$RUN_DIR"/replica-*.pid; do
    [ -e "$file" ] || continue
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped PID $pid"
    fi
    rm -f "$file"
  done
}

status() {
  local file pid port
  for file in "$RUN_DIR"/replica-*.pid; do
    [ -e "$file" ] || continue
    pid=$(cat "$file"); port=${file##*replica-}; port=${port%.pid}
    if kill -0 "$pid" 2>/dev/null && curl -fsS -o /dev/null "http://$HOST:$port/sparql?query=ASK%7B%7D"; then
      echo "port $port: PID $pid, answering"
    else
      echo "port $port: PID $pid, NOT answering"
    fi
  done
}

cmd=${1:-help}
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; [ "$cmd" = help ] && exit 0 || exit 2 ;;
esac
