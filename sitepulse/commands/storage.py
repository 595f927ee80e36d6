"""`sitepulse rollups` and `sitepulse retention`: the storage jobs, run once."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    rollups = command_group(commands, "rollups", "reading rollups")
    action(
        rollups,
        "refresh",
        "re-roll the minutes and hours touched since the last refresh",
        _rollups_refresh,
    )
    retention = command_group(commands, "retention", "raw-data retention")
    action(
        retention,
        "apply",
        "drop chunks past SITEPULSE_RETENTION_DAYS; compression where licensed",
        _retention_apply,
    )


def _rollups_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from storage.jobs import ROLLUPS_LOCK, advisory_lock, refresh

    with connect(settings) as conn, advisory_lock(conn, ROLLUPS_LOCK, wait=True):
        done = refresh(conn, settings)
    for source in done:
        print(
            f"{source.kind}: {source.minutes} minute(s), {source.hours} hour(s) re-rolled "
            f"in {source.elapsed_s:.2f} s"
        )
    return 0


def _retention_apply(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from storage.jobs import RETENTION_LOCK, advisory_lock
    from storage.retention import apply_retention

    with connect(settings) as conn, advisory_lock(conn, RETENTION_LOCK, wait=True):
        report = apply_retention(conn, settings)
    for table, chunks in report.dropped.items():
        print(f"{table}: {chunks} chunk(s) dropped")
    print(report.compression)
    return 0
