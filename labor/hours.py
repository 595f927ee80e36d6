"""Labour hours per worker, trade, floor and task for a site-local day, from tags (the gap
rule is in labor.sql), and their CSV export."""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from core.db import Connection
from core.errors import SitePulseError
from core.sql import load_queries

_Q = load_queries("labor", "hours.sql")
# A longer silence between two readings of one tag ends a presence interval.
GAP = timedelta(minutes=10)


@dataclass(frozen=True)
class TaskHours:
    day: date
    worker: str
    name: str
    trade: str
    floor: int | None
    task: str | None
    task_name: str | None
    hours: float


def check_day(day: date) -> None:
    """A site-local day has a day on either side of it in UTC: not the calendar's first or last."""
    if not date.min < day < date.max:
        raise SitePulseError(f"day {day} is outside the calendar this can count")


def day_bounds(conn: Connection, site: str, day: date) -> tuple[datetime, datetime]:
    check_day(day)
    row = conn.execute(_Q["timezone"], {"site": site}).fetchone()
    if row is None:
        raise SitePulseError(f"no site {site!r}")
    start = datetime.combine(day, time(), tzinfo=ZoneInfo(str(row[0])))
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(str(row[0])))
    return start, end


def task_hours(conn: Connection, site: str, day: date) -> list[TaskHours]:
    start, end = day_bounds(conn, site, day)
    rows = conn.execute(_Q["task_hours"], {"site": site, "from": start, "to": end, "gap": GAP})
    return [TaskHours(day, *row) for row in rows]


def write_hours_csv(rows: list[TaskHours], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(TaskHours)])
    for row in rows:
        values = list(astuple(row))
        values[-1] = f"{row.hours:.3f}"
        writer.writerow(["" if v is None else v for v in values])
