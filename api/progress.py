"""Floors against plan: `GET /api/v1/sites/{site}/progress`, and the reads the floor page,
the live stream and the wall board share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from fastapi import APIRouter
from psycopg.rows import class_row

from api.deps import ConnDep, Viewer
from api.floors import site_or_404
from api.params import Moment
from core.db import Connection
from core.sql import load_queries
from progress.plan import FloorTasks, PlannedTask, SiteProgress, floor_tasks, site_progress
from progress.presence import Suggested, suggested_dates

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["progress"])
_Q = load_queries("api", "progress.sql")


@router.get("/progress")
def progress(site: str, conn: ConnDep, _key: Viewer, at: Moment | None = None) -> SiteProgress:
    """Per floor (top first): tasks done, under way and planned, those due by `at` (now
    by default) and not done, the task types under way, how late the floor is (the worst
    variance of its tasks not done, in days, when a day or more), and its takt cycle (days
    from formwork start to pour finish, planned and actual). Variance is measured from the
    dates entered, else from those the crew's presence suggests; a task not started is
    late by the time since it was due to start. `summary` is the site in one line."""
    site_or_404(conn, site)
    return read_progress(conn, site, at or datetime.now(UTC))


def read_progress(conn: Connection, site: str, now: datetime) -> SiteProgress:
    floors = [(level, name) for level, name in conn.execute(_Q["floors"], {"site": site})]
    tasks = _tasks(conn, site, None)
    return site_progress(floors, tasks, _dates(conn, site, tasks, now), now)


def read_floor_tasks(conn: Connection, site: str, level: int, now: datetime) -> FloorTasks:
    tasks = _tasks(conn, site, level)
    return floor_tasks(tasks, _dates(conn, site, tasks, now), now)


def _tasks(conn: Connection, site: str, floor: int | None) -> list[PlannedTask]:
    with conn.cursor(row_factory=class_row(PlannedTask)) as cur:
        return cur.execute(_Q["tasks"], {"site": site, "floor": floor}).fetchall()


def _dates(
    conn: Connection, site: str, tasks: Sequence[PlannedTask], now: datetime
) -> dict[str, Suggested]:
    """Suggested dates, read only for tasks missing an entered date."""
    missing = [t for t in tasks if t.actual_start is None or t.actual_finish is None]
    return suggested_dates(conn, site, missing, now)
