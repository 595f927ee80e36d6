#!/usr/bin/env bash
# Install TimescaleDB (Apache edition) for the PostgreSQL that Debian installed.
# Debian 13 ships a binary package; on Debian 12 we build trixie's source package
# against the installed server (under a minute on two cores). Idempotent.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-$(ls /usr/lib/postgresql | sort -n | tail -1)}
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
CONTROL=/usr/share/postgresql/$PG_MAJOR/extension/timescaledb.control

if [[ -f $CONTROL ]]; then
    echo "timescaledb: already installed for PostgreSQL $PG_MAJOR"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if apt-cache show "postgresql-$PG_MAJOR-timescaledb" >/dev/null 2>&1; then
    apt-get install -y -qq "postgresql-$PG_MAJOR-timescaledb"
    exit 0
fi

echo "timescaledb: no binary package for PostgreSQL $PG_MAJOR; building Debian's source package"
SRC_LIST=/etc/apt/sources.list.d/sitepulse-trixie-src.sources
if [[ ! -f $SRC_LIST ]]; then
    cat >"$SRC_LIST" <<'LIST'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
    apt-get update -qq
fi
apt-get install -y -qq dpkg-dev cmake build-essential libssl-dev libkrb5-dev \
    "postgresql-server-dev-$PG_MAJOR" >/dev/null

work=$(mktemp -d /tmp/timescaledb-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq --download-only timescaledb
dpkg-source -x --skip-patches ./timescaledb_*.dsc src >/dev/null
cd src
./bootstrap -DAPACHE_ONLY=ON -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
    -DPG_CONFIG="$PG_CONFIG" >/dev/null
make -C build -j"$(nproc)" install >/dev/null
test -f "$CONTROL"
echo "timescaledb: built and installed for PostgreSQL $PG_MAJOR"
