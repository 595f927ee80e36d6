"""Rollups at 1 minute and 1 hour, per device and per floor (migration 0008).

A refresh finds the minutes that hold rows received since the last one (by received_at,
so a late reading re-rolls the old minute it belongs to), re-rolls those minutes from
the raw rows, then the hours that contain them from the minutes; then the watermark
moves to the time the refresh began."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from psycopg import sql

from core.db import Connection
from core.kinds import READING_KINDS, ReadingKind
from core.measurements import PROBE, Rollup, rolled_up, table_of
from core.sql import load_queries

log = logging.getLogger(__name__)
_Q = load_queries("storage", "rollups.sql")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
# A backfill re-rolls at most this much raw data per statement.
_MAX_RANGE = timedelta(hours=6)
SOURCES: dict[str, str] = {kind: table_of(kind) for kind in READING_KINDS}
LEVELS: tuple[Rollup, ...] = ("device", "floor")
Width = Literal["1m", "1h"]
# each level's key columns in its rollup tables, bucket aside
_KEYS: dict[Rollup, tuple[str, ...]] = {
    "device": ("device_id", "metric", "site_id", "kind"),
    "floor": ("site_id", "floor", "metric", "kind"),
}


@dataclass(frozen=True)
class SourceRefresh:
    kind: str
    minutes: int
    hours: int
    elapsed_s: float


def refresh_rollups(conn: Connection, overlap: timedelta) -> list[SourceRefresh]:
    return [refresh_source(conn, kind, overlap) for kind in SOURCES]


def refresh_source(conn: Connection, kind: str, overlap: timedelta) -> SourceRefresh:
    """Re-roll what was received since the last refresh. Each range commits on its own (a
    backfill is many, and re-rolling is idempotent); the watermark moves last, so a
    refresh that dies is redone whole by the next. Callers hold the rollups lock
    (storage/jobs.py), so no two refreshes interleave."""
    source = SOURCES[kind]
    began = time.perf_counter()
    row = conn.execute(_Q["received_upto"], {"source": source}).fetchone()
    if row is None:
        msg = f"rollup_watermarks has no row for {source}; run sitepulse db migrate"
        raise RuntimeError(msg)
    since: datetime | None = row[0] - overlap if row[0] is not None else None
    upto = _clock(conn)
    touched = [
        bucket
        for (bucket,) in conn.execute(
            sql.SQL(_Q["touched_minutes"]).format(source=sql.Identifier(source)),
            {"since": since, "upto": upto},
        )
    ]
    for lo, hi in ranges(touched, MINUTE):
        with conn.transaction():
            _reroll(conn, kind, "1m", lo, hi)
    hours = sorted({_hour(bucket) for bucket in touched})
    for lo, hi in ranges(hours, HOUR):
        with conn.transaction():
            _reroll(conn, kind, "1h", lo, hi)
    conn.execute(_Q["set_received_upto"], {"source": source, "upto": upto})
    done = SourceRefresh(kind, len(touched), len(hours), time.perf_counter() - began)
    if touched:
        log.info(
            "rollups %s: %d minute(s), %d hour(s) re-rolled in %.2f s",
            kind,
            done.minutes,
            done.hours,
            done.elapsed_s,
        )
    return done


def ranges(buckets: Iterable[datetime], width: timedelta) -> Iterator[tuple[datetime, datetime]]:
    """Sorted bucket starts as [lo, hi) ranges of adjacent buckets, none longer than
    _MAX_RANGE (a backfill becomes several statements, not one huge aggregate)."""
    lo: datetime | None = None
    hi: datetime | None = None
    for bucket in buckets:
        if lo is not None and hi is not None and bucket == hi and hi - lo < _MAX_RANGE:
            hi = bucket + width
            continue
        if lo is not None and hi is not None:
            yield lo, hi
        lo, hi = bucket, bucket + width
    if lo is not None and hi is not None:
        yield lo, hi


def _reroll(conn: Connection, kind: str, width: Width, lo: datetime, hi: datetime) -> None:
    params = {"kind": kind, "lo": lo, "hi": hi}
    for level in LEVELS:
        minute = _MINUTE[kind, level]
        if not minute:
            continue
        conn.execute(_DELETE[level, width], params)
        for query in minute if width == "1m" else (_HOUR[level],):
            conn.execute(query, params)


def _rollup_table(level: Rollup, width: Width) -> sql.Identifier:
    return sql.Identifier(f"{level}_rollup_{width}")


def _hour_query(level: Rollup) -> str:
    keys = sql.SQL(", ").join(map(sql.Identifier, _KEYS[level]))
    query = sql.SQL(_Q["hour"]).format(
        target=_rollup_table(level, "1h"), source=_rollup_table(level, "1m"), keys=keys
    )
    return query.as_string()


def _minute_queries(kind: ReadingKind, level: Rollup) -> tuple[str, ...]:
    """What re-rolls a minute range of a kind at a level: its rolled-up measurements (as
    core/measurements.py declares them), and per floor, the tags heard there."""
    queries: list[str] = []
    measured = rolled_up(kind, level)
    if measured:
        metrics = sql.SQL(", ").join(
            sql.SQL("({}, r.{})").format(
                _metric_name(m.key, m.probe_name, level), sql.Identifier(m.key)
            )
            for m in measured
        )
        query = sql.SQL(_Q["minute"]).format(
            target=_rollup_table(level, "1m"),
            columns=sql.SQL(", ").join(map(sql.Identifier, _KEYS[level])),
            keys=sql.SQL(", ").join(_key_value(c, kind) for c in _KEYS[level]),
            source=sql.Identifier(SOURCES[kind]),
            metrics=metrics,
            only=sql.SQL("AND r.floor IS NOT NULL" if level == "floor" else ""),
        )
        queries.append(query.as_string())
    if level == "floor" and kind == "tag":
        queries.append(_Q["floor_1m_workers"])
    return tuple(queries)


def _key_value(column: str, kind: str) -> sql.Composable:
    """A key column's value for a raw row `r` and its measurement `m`."""
    if column == "kind":
        return sql.Literal(kind)
    if column == "metric":
        return sql.SQL("m.metric")
    return sql.SQL("r.{}").format(sql.Identifier(column))


def _metric_name(key: str, probe_name: str | None, level: Rollup) -> sql.Composable:
    if level != "floor" or probe_name is None:
        return sql.Literal(key)
    return sql.SQL("CASE WHEN r.{} IS NULL THEN {} ELSE {} END").format(
        sql.Identifier(PROBE.key), sql.Literal(key), sql.Literal(probe_name)
    )


_MINUTE: dict[tuple[str, Rollup], tuple[str, ...]] = {
    (kind, level): _minute_queries(kind, level) for kind in READING_KINDS for level in LEVELS
}


_HOUR = {level: _hour_query(level) for level in LEVELS}
_DELETE = {
    (level, width): sql.SQL(_Q["delete"]).format(target=_rollup_table(level, width)).as_string()
    for level in LEVELS
    for width in get_args(Width)
}


def _hour(bucket: datetime) -> datetime:
    return bucket.replace(minute=0, second=0, microsecond=0)


def _clock(conn: Connection) -> datetime:
    row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]
