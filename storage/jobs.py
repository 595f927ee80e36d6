"""The storage jobs' turns: each takes a PostgreSQL advisory lock first, so several
processes may host the same jobs: one runs, the others skip that turn."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from core.db import Connection, connect
from core.settings import Settings
from records.lifts_store import record_lifts
from storage.retention import apply_retention
from storage.rollups import Helpers, SourceRefresh, refresh_rollups

log = logging.getLogger(__name__)
ROLLUPS_LOCK = 0x5173_726F_6C6C  # distinct from core.migrate's lock
RETENTION_LOCK = 0x5173_7265_7465
LIFTS_LOCK = 0x5173_6C69_6674


def run_rollups(conn: Connection, settings: Settings) -> bool:
    """One turn of the job: False when another process holds the lock."""
    with advisory_lock(conn, ROLLUPS_LOCK, wait=False) as held:
        if held:
            refresh(conn, settings)
    return held


def refresh(conn: Connection, settings: Settings) -> list[SourceRefresh]:
    """A refresh as the settings have it, by a caller holding the rollups lock."""
    overlap = timedelta(seconds=settings.rollup_overlap_s)
    return refresh_rollups(conn, overlap, backfill_helpers(settings))


def backfill_helpers(settings: Settings) -> Helpers:
    return Helpers(settings.rollup_backfill_connections - 1, lambda: connect(settings))


def run_retention(conn: Connection, settings: Settings) -> bool:
    with advisory_lock(conn, RETENTION_LOCK, wait=False) as held:
        if held:
            apply_retention(conn, settings)
    return held


def run_lifts(conn: Connection, settings: Settings) -> bool:
    with advisory_lock(conn, LIFTS_LOCK, wait=False) as held:
        if held:
            record_lifts(conn, settings)
    return held


@contextmanager
def advisory_lock(conn: Connection, key: int, *, wait: bool) -> Iterator[bool]:
    """Hold the session lock `key` (waiting for it, or not): yields whether it is held."""
    if wait:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        held = True
    else:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        held = bool(row and row[0])
        if not held:
            log.debug("storage job %x: another process holds the lock; skipped", key)
    try:
        yield held
    finally:
        if held:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
