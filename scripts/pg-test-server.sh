#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on loopback for the integration tests.
#   eval "$(bash scripts/pg-test-server.sh start)"   → exports TEST_DATABASE_URL
#   bash scripts/pg-test-server.sh stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDATA=${PGDATA_DIR:-/tmp/threadline-pg}
PGPORT=${PGPORT:-55432}
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  RUN_AS=(runuser -u postgres --)
fi
case "${1:-start}" in
  start)
    [ -x "$PGBIN/initdb" ] || { echo "postgresql not installed (run scripts/install-system-deps.sh)" >&2; exit 1; }
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"; [ ${#RUN_AS[@]} -gt 0 ] && chown postgres "$PGDATA"
      "${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U threadline --auth=trust -E UTF8 >/dev/null
    fi
    if ! "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
        -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
    fi
    echo "export TEST_DATABASE_URL=postgres://threadline@127.0.0.1:$PGPORT/postgres"
    ;;
  stop)
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
