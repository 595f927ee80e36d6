"""Where a task's crew was present, and the dates that suggests: the one place the task
route and the progress route read it. The start is when the crew was first heard on the
task's floors; the finish when last heard, suggested only once the task's window is past
(no finish while it may still be running). Shown beside the dates a person entered,
never written over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from psycopg.rows import class_row
from pydantic import BaseModel

from core.db import Connection
from core.sql import load_queries

_Q = load_queries("progress", "presence.sql")
# Presence is looked for from a day before the task to a day after it, at most this long.
CREW_MARGIN = timedelta(days=1)
CREW_MAX_RANGE = timedelta(days=92)


class Dated(Protocol):
    @property
    def planned_start(self) -> datetime: ...
    @property
    def planned_finish(self) -> datetime: ...
    @property
    def actual_start(self) -> datetime | None: ...
    @property
    def actual_finish(self) -> datetime | None: ...


class Crewed(Dated, Protocol):
    @property
    def id(self) -> str: ...
    @property
    def floors(self) -> list[int]: ...
    @property
    def trade(self) -> str | None: ...
    @property
    def crew_planned(self) -> int | None: ...


class CrewDay(BaseModel):
    date: date
    workers_present: int
    crew_planned: int | None
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class CrewWindow:
    """Presence is read in [begin, until); a finish is suggested once `end` is past."""

    begin: datetime
    until: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class _Span:
    id: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class Suggested:
    start: datetime | None = None
    finish: datetime | None = None


def crew_window(task: Dated, now: datetime) -> CrewWindow:
    begin = min(task.planned_start, task.actual_start or task.planned_start) - CREW_MARGIN
    end = max(task.planned_finish, task.actual_finish or task.planned_finish) + CREW_MARGIN
    return CrewWindow(begin, min(end, now, begin + CREW_MAX_RANGE), end)


def suggested(
    first_seen: datetime | None, last_seen: datetime | None, window: CrewWindow, now: datetime
) -> Suggested:
    if first_seen is None:
        return Suggested()
    return Suggested(first_seen, last_seen if window.end <= now else None)


def crew_days(conn: Connection, site: str, task: Crewed, window: CrewWindow) -> list[CrewDay]:
    """Workers present per site-local day in the task's window, its trade only if it has one."""
    if not task.floors or window.begin >= window.until:
        return []
    params = {
        "site": site,
        "floors": task.floors,
        "from": window.begin,
        "to": window.until,
        "trade": task.trade,
        "crew_planned": task.crew_planned,
    }
    with conn.cursor(row_factory=class_row(CrewDay)) as cur:
        return cur.execute(_Q["crew_days"], params).fetchall()


def suggested_dates(
    conn: Connection, site: str, tasks: Sequence[Crewed], now: datetime
) -> dict[str, Suggested]:
    """The suggested dates of several tasks of a site in one read (tasks whose crew was
    never present are left out)."""
    windows = {t.id: crew_window(t, now) for t in tasks if t.floors}
    looked = {i: w for i, w in windows.items() if w.begin < w.until}
    if not looked:
        return {}
    params = {
        "site": site,
        "ids": list(looked),
        "from": [w.begin for w in looked.values()],
        "to": [w.until for w in looked.values()],
    }
    with conn.cursor(row_factory=class_row(_Span)) as cur:
        spans = cur.execute(_Q["crew_spans"], params).fetchall()
    return {s.id: suggested(s.first_seen, s.last_seen, looked[s.id], now) for s in spans}
