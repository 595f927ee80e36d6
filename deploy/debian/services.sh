#!/usr/bin/env bash
# Start, stop or report the local PostgreSQL (+TimescaleDB) and Mosquitto that SitePulse
# uses for the demo and the tests. Plain processes, no systemd, no Docker. Idempotent:
# `start` on running services only checks them.
#
#   deploy/debian/services.sh start|stop|status|env|restart-postgres
#
# State lives under $SITEPULSE_STATE_DIR (default /var/lib/sitepulse); ports default to
# 55432 (PostgreSQL) and 18830 (MQTT) so that they never collide with system services.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
STATE=${SITEPULSE_STATE_DIR:-/var/lib/sitepulse}
PG_PORT=${SITEPULSE_PG_PORT:-55432}
MQTT_PORT=${SITEPULSE_MQTT_PORT:-18830}
PG_MAJOR=${PG_MAJOR:-$(ls /usr/lib/postgresql | sort -n | tail -1)}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PGDATA=$STATE/pg$PG_MAJOR
MQ_DIR=$STATE/mosquitto
DB_USER=sitepulse
DB_PASSWORD=${SITEPULSE_DEV_DB_PASSWORD:-sitepulse}
INGEST_PASSWORD=${SITEPULSE_DEV_INGEST_PASSWORD:-sitepulse-ingest}

as_postgres() { runuser -u postgres -- "$@"; }

pg_running() { as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_start() {
    mkdir -p "$STATE"
    chmod 755 "$STATE"
    if [[ ! -f $PGDATA/PG_VERSION ]]; then
        install -d -o postgres -g postgres -m 700 "$PGDATA"
        as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
        cat >>"$PGDATA/postgresql.conf" <<CONF
# sitepulse
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGDATA'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
max_connections = 200
shared_buffers = 512MB
synchronous_commit = on
fsync = on
wal_compression = on
max_wal_size = 4GB
checkpoint_timeout = 15min
CONF
        cat >"$PGDATA/pg_hba.conf" <<HBA
local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
HBA
    fi
    if ! pg_running; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null
    fi
    local psql=("$PG_BIN/psql" -X -q -h "$PGDATA" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
    as_postgres "${psql[@]}" <<SQL
DO \$\$ BEGIN
  IF current_setting('shared_preload_libraries') NOT LIKE '%timescaledb%' THEN
    RAISE EXCEPTION 'timescaledb is not in shared_preload_libraries of $PGDATA';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SQL
    if ! as_postgres "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'sitepulse'" | grep -q 1; then
        as_postgres "${psql[@]}" -c "CREATE DATABASE sitepulse OWNER $DB_USER"
    fi
    echo "postgresql: running on 127.0.0.1:$PG_PORT (data $PGDATA)"
}

pg_stop() {
    if pg_running; then as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; fi
    echo "postgresql: stopped"
}

mq_pid() { cat "$MQ_DIR/mosquitto.pid" 2>/dev/null || true; }
mq_running() { local pid; pid=$(mq_pid); [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; }

mq_start() {
    install -d -o mosquitto -g mosquitto -m 755 "$MQ_DIR" "$MQ_DIR/data"
    # Service users and the simulator's (this broker is for development, the demo and the
    # tests); device users are added by `sitepulse mqtt credentials`, which rewrites these
    # two files from the registry and signals the broker.
    if [[ ! -f $MQ_DIR/passwd ]]; then
        "$repo/.venv/bin/sitepulse" mqtt credentials --dir "$MQ_DIR" --no-registry \
            --with-simulator >/dev/null
    fi
    sed -e "s|@PORT@|$MQTT_PORT|" -e "s|@DIR@|$MQ_DIR|g" \
        "$repo/deploy/mosquitto/mosquitto.conf.in" >"$MQ_DIR/mosquitto.conf"
    chown mosquitto:mosquitto "$MQ_DIR"/*
    if ! mq_running; then
        mosquitto -c "$MQ_DIR/mosquitto.conf" -d
        for _ in $(seq 50); do
            mq_running && nc -z 127.0.0.1 "$MQTT_PORT" 2>/dev/null && break
            sleep 0.1
        done
    fi
    mq_running || { echo "mosquitto failed to start; see $MQ_DIR/mosquitto.log" >&2; exit 1; }
    echo "mosquitto: running on 127.0.0.1:$MQTT_PORT (config $MQ_DIR/mosquitto.conf)"
}

mq_stop() {
    local pid; pid=$(mq_pid)
    if mq_running; then
        kill "$pid"
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    echo "mosquitto: stopped"
}

print_env() {
    echo "SITEPULSE_DATABASE_URL=postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/sitepulse"
    echo "SITEPULSE_MQTT_URL=mqtt://sitepulse-ingest:$INGEST_PASSWORD@127.0.0.1:$MQTT_PORT"
    echo "SITEPULSE_MQTT_DIR=$MQ_DIR"
}

case ${1:-status} in
start) pg_start; mq_start ;;
stop) mq_stop; pg_stop ;;
status)
    pg_running && echo "postgresql: running" || echo "postgresql: stopped"
    mq_running && echo "mosquitto: running" || echo "mosquitto: stopped"
    ;;
restart-postgres)
    # For the fault tests: a real restart under a running stream.
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 restart -l "$PGDATA/server.log" >/dev/null
    echo "postgresql: restarted"
    ;;
env) print_env ;;
*) echo "usage: $0 start|stop|status|env|restart-postgres" >&2; exit 2 ;;
esac
