#!/usr/bin/env bash
# Install everything SitePulse needs on Debian (as root), idempotently and quickly when
# it is already there: apt packages, TimescaleDB, Mosquitto, the virtual environment.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive

need=()
for pkg in postgresql postgresql-contrib mosquitto mosquitto-clients netcat-openbsd python3-venv \
    chromium fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "setup: installing ${need[*]}"
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
    # Debian's packages start their own services where systemd runs; ours run apart.
    # chromium and the CJK fonts are for the browser test of the board page.
fi

"$here/install-timescaledb.sh"
"$here/install-compose.sh"

venv=$repo/.venv
stamp=$venv/.installed-from
want=$(sha256sum "$repo/pyproject.toml" | cut -d' ' -f1)
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
fi
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    echo "setup: installing the Python environment in .venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -e "$repo[dev]"
    echo "$want" >"$stamp"
fi
echo "setup: done"
