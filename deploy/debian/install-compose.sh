#!/usr/bin/env bash
# docker-compose v2 for validating deploy/compose.yaml (`docker-compose config` needs no
# engine). Debian 12 packages only v1, so the binary is taken from trixie's package,
# downloaded with apt into a private apt state (the system's sources are left alone) and
# unpacked under $SITEPULSE_STATE_DIR/tools. Idempotent.
set -euo pipefail

STATE=${SITEPULSE_STATE_DIR:-/var/lib/sitepulse}
TOOLS=$STATE/tools
BIN=$TOOLS/bin/docker-compose

if [[ -x $BIN ]] && "$BIN" version >/dev/null 2>&1; then
    echo "docker-compose: already installed ($BIN)"
    exit 0
fi

apt_dir=$TOOLS/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$TOOLS/bin"
cat >"$apt_dir/trixie.sources" <<'LIST'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
apt_opts=(-q -o "Dir::Etc::SourceList=$apt_dir/trixie.sources" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update >/dev/null

work=$(mktemp -d /tmp/docker-compose.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "${apt_opts[@]}" download docker-compose >/dev/null)
dpkg-deb -x "$work"/docker-compose_*.deb "$work/x"
install -m 755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$BIN"
"$BIN" version
