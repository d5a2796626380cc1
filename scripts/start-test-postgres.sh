#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite and print its SQLAlchemy URL.
# Usage: export VSH_TEST_POSTGRES_URL=$(scripts/start-test-postgres.sh)
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }
PGDIR=${VSH_PGDIR:-/tmp/vsh-test-pg}
PORT=${VSH_PGPORT:-55432}
RUN_AS=()
if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi
if [ ! -f "$PGDIR/PG_VERSION" ]; then
  rm -rf "$PGDIR"; mkdir -p "$PGDIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  "${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDIR" -A trust -U vsh >/dev/null
fi
if ! "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
fi
"$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U vsh -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='vsh_test'" \
  | grep -q 1 || "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U vsh vsh_test
echo "postgresql+psycopg://vsh@127.0.0.1:$PORT/vsh_test"
