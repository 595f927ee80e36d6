"""The storage jobs on an APScheduler 3 scheduler, hosted by the rules service (or any
process). Each run takes a PostgreSQL advisory lock first, so several processes may host
the same jobs: one runs, the others skip that turn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from core.db import Connection, connect
from core.settings import Settings
from storage.retention import apply_retention
from storage.rollups import refresh_rollups

log = logging.getLogger(__name__)
ROLLUPS_LOCK = 0x5173_726F_6C6C  # distinct from core.migrate's lock
RETENTION_LOCK = 0x5173_7265_7465


def add_storage_jobs(scheduler: Any, settings: Settings) -> None:
    """Register the rollup refresh and the retention jobs (APScheduler 3 interval jobs)."""
    scheduler.add_job(
        run_rollups,
        "interval",
        args=[settings],
        seconds=settings.rollup_interval_s,
        id="sitepulse-rollups",
        name="rollups",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        run_retention,
        "interval",
        args=[settings],
        seconds=settings.retention_interval_s,
        id="sitepulse-retention",
        name="retention",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC) + timedelta(seconds=30),
    )


def run_rollups(settings: Settings) -> bool:
    overlap = timedelta(seconds=settings.rollup_overlap_s)
    return _locked(settings, ROLLUPS_LOCK, lambda conn: refresh_rollups(conn, overlap))


def run_retention(settings: Settings) -> bool:
    return _locked(settings, RETENTION_LOCK, lambda conn: apply_retention(conn, settings))


def _locked(settings: Settings, key: int, job: Callable[[Connection], object]) -> bool:
    """Run `job` if this process holds the lock; False when another process had it."""
    with connect(settings) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if not (row and row[0]):
            log.debug("storage job %x: another process holds the lock; skipped", key)
            return False
        try:
            job(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
    return True
