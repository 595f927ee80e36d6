#!/usr/bin/env bash
# The two commands of the README:
#   deploy/debian/dev.sh demo   install what is missing, start the services, run the demo
#   deploy/debian/dev.sh test   install what is missing, start the services, lint, type-check, test
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

"$here/setup.sh"
"$here/services.sh" start
eval "$("$here/services.sh" env | sed 's/^/export /')"
venv=$repo/.venv/bin

case ${1:-} in
demo)
    shift
    exec "$venv/sitepulse" demo "$@"
    ;;
test)
    shift
    "$venv/ruff" format --check .
    "$venv/ruff" check .
    "$venv/mypy"
    exec "$venv/pytest" "$@"
    ;;
*)
    echo "usage: $0 demo|test [args]" >&2
    exit 2
    ;;
esac
