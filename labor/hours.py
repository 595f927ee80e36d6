"""Labour hours per worker, trade, floor and task for a site-local day, from tags (the gap
rule is in labor.sql), and their CSV export."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict, Field, field_serializer

from core.db import Connection
from core.errors import SitePulseError
from core.sql import load_queries

_Q = load_queries("labor", "hours.sql")
# A longer silence between two readings of one tag ends a presence interval.
GAP = timedelta(minutes=10)


# A worker's hours on a floor and task (or none) on a day: a row of the export, and an item
# of the API's answer (which names the day in its query, and counts to 3 decimals).
class TaskHours(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: date = Field(exclude=True)
    worker: str
    name: str
    trade: str
    floor: int | None
    task: str | None
    task_name: str | None
    hours: float

    @field_serializer("hours")
    def _to_3_decimals(self, hours: float) -> float:
        return round(hours, 3)


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
    params = {"site": site, "day": day, "from": start, "to": end, "gap": GAP}
    with conn.cursor(row_factory=class_row(TaskHours)) as cur:
        return cur.execute(_Q["task_hours"], params).fetchall()


def write_hours_csv(rows: list[TaskHours], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    names = list(TaskHours.model_fields)
    writer.writerow(names)
    for row in rows:
        values = [getattr(row, name) for name in names]
        values[-1] = f"{row.hours:.3f}"
        writer.writerow(["" if v is None else v for v in values])
