#!/usr/bin/env bash
# The whole suite on SQLite, then the database-backed tests again on a PostgreSQL server this
# script starts on a loopback port (and stops afterwards), with a Redis server for the scaled mode.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WORK=$(mktemp -d /tmp/mindbridge-test.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  if [ -f "$WORK/pg/postmaster.pid" ]; then
    run_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Redis for the scaled-out job queue tests.
if command -v redis-server >/dev/null; then
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  export MINDBRIDGE_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
else
  echo "warning: redis-server not installed; the Redis queue test is skipped" >&2
fi

echo "== pytest on SQLite"
"$BIN/pytest" -n 2 -p no:cacheprovider "$@"

if [ -z "$PG_BIN" ]; then
  echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
  exit 1
fi
PG_PORT=$(free_port)
mkdir -p "$WORK/pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$WORK/pg"
run_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
export MINDBRIDGE_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
echo "== pytest on PostgreSQL (database-backed tests)"
MINDBRIDGE_TEST_DB_ONLY=1 "$BIN/pytest" -n 2 -p no:cacheprovider "$@"
