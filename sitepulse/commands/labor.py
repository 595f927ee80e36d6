"""`sitepulse labor`: labour hours per worker, trade, floor and task, as CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    labor = command_group(commands, "labor", "labour hours")
    export = action(
        labor, "export", "hours per worker, trade, floor and task per day, as CSV", _export
    )
    export.add_argument("file", type=Path, help="the CSV to write ('-' for stdout)")
    export.add_argument("--site", help="default: the only site in the database")
    export.add_argument(
        "--from",
        dest="from_",
        type=date.fromisoformat,
        required=True,
        help="first day (site's clock), e.g. 2026-11-23",
    )
    export.add_argument("--to", type=date.fromisoformat, help="last day; default: --from")


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from labor.hours import check_day, task_hours, write_hours_csv
    from schedules.store import only_site

    last = args.to or args.from_
    if last < args.from_:
        raise SitePulseError(f"--to {last} is before --from {args.from_}")
    check_day(args.from_)
    check_day(last)
    with connect(settings) as conn:
        site = args.site or only_site(conn)
        rows = [
            row
            for n in range((last - args.from_).days + 1)
            for row in task_hours(conn, site, args.from_ + timedelta(days=n))
        ]
    if str(args.file) == "-":
        write_hours_csv(rows, sys.stdout)
    else:
        with args.file.open("w", encoding="utf-8", newline="") as out:
            write_hours_csv(rows, out)
        print(
            f"site {site}: {len(rows)} rows, {sum(r.hours for r in rows):.2f} hours "
            f"written to {args.file}"
        )
    return 0
