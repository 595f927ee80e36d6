"""A floor's environment over time: one metric in time buckets, read from the floor
rollups (migration 0008) where they are complete, and from the raw readings at the range's
edges inside a minute and after what the last rollup refresh saw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import sql
from psycopg.rows import class_row
from pydantic import BaseModel

from core.db import Connection
from core.measurements import PROBE, rolled_up
from core.sql import load_queries

_Q = load_queries("api", "floor_series.sql")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
_ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)  # time_bucket's, and so the rollups'


class Bucket(BaseModel):
    ts: datetime
    avg: float
    min: float
    max: float
    count: int


@dataclass(frozen=True, slots=True)
class Spans:
    """Where each part of [start, end) is read: the raw rows in [start, rolled_from) and
    [rolled_to, end); the 1-minute rollups between, but the hourly ones in [hours_from,
    hours_to). start <= rolled_from <= hours_from <= hours_to <= rolled_to <= end."""

    start: datetime
    rolled_from: datetime
    hours_from: datetime
    hours_to: datetime
    rolled_to: datetime
    end: datetime


def split_range(
    start: datetime, end: datetime, bucket: timedelta, rolled_upto: datetime | None
) -> Spans:
    """The rollups serve whole minutes (whole hours, for buckets of whole hours) before
    the minute of `rolled_upto`, whose rollup may lack readings received after it; the
    rest is raw. None (never refreshed): all of it is raw."""
    rolled_from = min(_up(start, MINUTE), end)
    reach = rolled_from if rolled_upto is None else _down(min(end, rolled_upto), MINUTE)
    rolled_to = max(rolled_from, reach)
    if bucket % HOUR:
        hours_from = hours_to = rolled_to
    else:
        hours_from = min(_up(rolled_from, HOUR), rolled_to)
        hours_to = max(hours_from, _down(rolled_to, HOUR))
    return Spans(start, rolled_from, hours_from, hours_to, rolled_to, end)


def _down(moment: datetime, width: timedelta) -> datetime:
    return moment - (moment - _ORIGIN) % width


def _up(moment: datetime, width: timedelta) -> datetime:
    down = _down(moment, width)
    return down if down == moment else down + width


def _series_query(column: str, probes: bool | None) -> str:
    """The series of `column`, from every row that has it, or from a concrete probe's rows
    only (True), or from the others only (False)."""
    only = [sql.SQL("r.{} IS NOT NULL").format(sql.Identifier(column))]
    if probes is not None:
        state = "IS NOT NULL" if probes else "IS NULL"
        only.append(sql.SQL("r.{} {}").format(sql.Identifier(PROBE.key), sql.SQL(state)))
    query = sql.SQL(_Q["floor_series"]).format(
        value=sql.Identifier(column), only=sql.SQL(" AND ").join(only)
    )
    return query.as_string()


def _series_queries() -> dict[str, str]:
    """Each metric the floor rollups hold of the environment sensors (core/measurements.py),
    under its name there: a probe's own name for a measurement it means otherwise."""
    queries: dict[str, str] = {}
    for m in rolled_up("env", "floor"):
        queries[m.key] = _series_query(m.key, None if m.probe_name is None else False)
        if m.probe_name is not None:
            queries[m.probe_name] = _series_query(m.key, True)
    return queries


_SERIES = _series_queries()
METRICS: tuple[str, ...] = tuple(_SERIES)


def floor_series(
    conn: Connection,
    site: str,
    floor: int,
    metric: str,
    bucket: timedelta,
    start: datetime,
    end: datetime,
) -> list[Bucket]:
    row = conn.execute(_Q["rolled_upto"]).fetchone()
    rolled_upto: datetime | None = row[0] if row else None
    return read_floor_series(
        conn, site, floor, metric, bucket, split_range(start, end, bucket, rolled_upto)
    )


def read_floor_series(
    conn: Connection, site: str, floor: int, metric: str, bucket: timedelta, spans: Spans
) -> list[Bucket]:
    params = {
        "site": site,
        "floor": floor,
        "metric": metric,
        "bucket": bucket,
        "from": spans.start,
        "rolled_from": spans.rolled_from,
        "hours_from": spans.hours_from,
        "hours_to": spans.hours_to,
        "rolled_to": spans.rolled_to,
        "to": spans.end,
    }
    with conn.cursor(row_factory=class_row(Bucket)) as cur:
        return cur.execute(_SERIES[metric], params).fetchall()
