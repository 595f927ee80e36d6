"""Numbered migrations (core/migrations/NNNN_name.sql), each applied once in its own
transaction and recorded with a checksum; `check_ready` is what services call at start."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files

from core.db import Connection
from core.errors import MigrationTampered, SchemaBehind, TimescaleMissing

_FILE = re.compile(r"^(\d{4})_(\w+)\.sql$")
# Serialises concurrent `db migrate` runs (two services starting at once).
_LOCK_KEY = 0x5173_7075_6C73


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    found = []
    for entry in files("core.migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    # Branches reserve numbers, so a gap is allowed (0007 may land before 0006); a number
    # used twice is not.
    if len(set(versions)) != len(versions):
        msg = f"two migrations share a number: {versions}"
        raise RuntimeError(msg)
    return found


def applied_migrations(conn: Connection) -> dict[int, str]:
    exists = conn.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return {}
    rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {int(version): str(checksum) for version, checksum in rows}


def migrate(conn: Connection) -> list[Migration]:
    """Apply what is missing; return the migrations applied by this call."""
    done: list[Migration] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        applied = applied_migrations(conn)
        for migration in available_migrations():
            if migration.version in applied:
                _check_unchanged(migration, applied[migration.version])
                continue
            with conn.transaction():
                conn.execute(migration.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            done.append(migration)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return done


def check_ready(conn: Connection) -> None:
    """Raise unless TimescaleDB is installed and every migration has been applied."""
    row = conn.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"
    ).fetchone()
    if row is None:
        raise TimescaleMissing
    applied = applied_migrations(conn)
    missing = [m for m in available_migrations() if m.version not in applied]
    if missing:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in missing)
        raise SchemaBehind(f"{SchemaBehind.__doc__} (missing: {names})")
    for migration in available_migrations():
        _check_unchanged(migration, applied[migration.version])


def _check_unchanged(migration: Migration, checksum: str) -> None:
    if checksum != migration.checksum:
        raise MigrationTampered(
            f"migration {migration.version:04d}_{migration.name} differs from the one applied; "
            "add a new migration instead of editing an applied one"
        )
