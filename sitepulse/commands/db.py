"""`sitepulse db`: the database schema."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    db = command_group(commands, "db", "database schema")
    action(db, "migrate", "bring the schema to the current version", _migrate)
    action(db, "check", "exit 1 unless TimescaleDB is there and the schema is current", _check)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import migrate

    with connect(settings) as conn:
        applied = migrate(conn)
    for migration in applied:
        print(f"applied {migration.version:04d}_{migration.name}")
    print("schema is current" if not applied else f"{len(applied)} migration(s) applied")
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready

    with connect(settings) as conn:
        check_ready(conn)
    print("database ready")
    return 0
