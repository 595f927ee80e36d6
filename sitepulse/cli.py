"""`sitepulse`: the command line, and the composition root that wires the parts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from core.errors import SitePulseError
from sitepulse.commands import (
    alerts,
    api,
    apikey,
    dashboards,
    db,
    deadletters,
    demo,
    ingest,
    labor,
    log,
    mqtt,
    rules,
    schedule,
    simulate,
    site,
    storage,
)
from sitepulse.commands.group import Handler, Register

# in the order `sitepulse --help` lists their commands
GROUPS: tuple[Register, ...] = (
    db.register,
    site.register,
    mqtt.register,
    ingest.register,
    rules.register,
    alerts.register,
    api.register,
    apikey.register,
    deadletters.register,
    simulate.register,
    schedule.register,
    labor.register,
    log.register,
    storage.register,
    dashboards.register,
    demo.register,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    # imported once a command is chosen: `sitepulse --help` starts without pydantic
    from pydantic import ValidationError

    from core.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:
        # A bad environment variable: name it and say what is wrong, without a traceback.
        for error in exc.errors(include_url=False):
            name = "SITEPULSE_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"sitepulse: {name}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        return handler(args, settings)
    except SitePulseError as exc:
        print(f"sitepulse: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitepulse", description=__doc__)
    commands = parser.add_subparsers(metavar="COMMAND")
    for register in GROUPS:
        register(commands)
    return parser
