"""Rollups at 1 minute and 1 hour, per device and per floor (migration 0008; the widths
each kind takes per device: core/measurements.py, rollup_widths).

A refresh finds the minutes that hold rows received since the last one (by received_at,
so a late reading re-rolls the old minute it belongs to; storage/touched.py), then
re-rolls a range of whole hours at a time from the raw rows: the touched minutes, and the
hours that hold them; then the watermark moves to the time the refresh began. A source's
first refresh (a backfill) inserts into buckets never rolled, without the overwrite."""

from __future__ import annotations

import logging
import queue
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import sql
from psycopg.rows import class_row

from core.db import Connection, unless_duplicate
from core.kinds import READING_KINDS, ReadingKind
from core.measurements import PROBE, Rollup, Width, rolled_up, rollup_widths, table_of
from core.sql import load_queries
from storage.touched import MinuteRows, Watermark, overlap_counts, touched

log = logging.getLogger(__name__)
_Q = load_queries("storage", "rollups.sql")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
_EARLIEST = datetime.min.replace(tzinfo=UTC)  # before any reading: never refreshed
# A backfill re-rolls at most this much raw data per transaction.
_MAX_RANGE = timedelta(hours=6)
SOURCES: dict[ReadingKind, str] = {kind: table_of(kind) for kind in READING_KINDS}
LEVELS: tuple[Rollup, ...] = ("device", "floor")
_INTERVAL: dict[Width, str] = {"1m": "1 minute", "1h": "1 hour"}
# each level's key columns in its rollup tables, bucket aside, and its primary key's
_KEYS: dict[Rollup, tuple[str, ...]] = {
    "device": ("device_id", "metric", "site_id", "kind"),
    "floor": ("site_id", "floor", "metric", "kind"),
}
_PRIMARY: dict[Rollup, tuple[str, ...]] = {
    "device": ("device_id", "metric", "bucket"),
    "floor": ("site_id", "floor", "metric", "bucket"),
}
_VALUES = ("min", "max", "avg", "sum", "count", "last", "last_ts")


@dataclass(frozen=True)
class Helpers:
    """More connections a backfill rolls its ranges on at once, beside the caller's: the
    database's cores are what a backfill is bound by (settings.rollup_backfill_connections,
    the caller's counted)."""

    count: int
    connect: Callable[[], Connection]


@dataclass(frozen=True)
class SourceRefresh:
    kind: str
    minutes: int
    hours: int
    elapsed_s: float


def refresh_rollups(
    conn: Connection, overlap: timedelta, helpers: Helpers | None = None
) -> list[SourceRefresh]:
    return [refresh_source(conn, kind, overlap, helpers) for kind in SOURCES]


def refresh_source(
    conn: Connection, kind: ReadingKind, overlap: timedelta, helpers: Helpers | None = None
) -> SourceRefresh:
    """Re-roll what was received since the last refresh. Each range commits on its own (a
    backfill is many, rolled on the `helpers`' connections as well, and re-rolling is
    idempotent); the watermark moves last, so a refresh that dies is redone whole by the
    next. Callers hold the rollups lock (storage/jobs.py), so no two refreshes interleave."""
    source = SOURCES[kind]
    began = time.perf_counter()
    with conn.cursor(row_factory=class_row(Watermark)) as cur:
        mark = cur.execute(_Q["watermark"], {"source": source}).fetchone()
    if mark is None:
        msg = f"rollup_watermarks has no row for {source}; run sitepulse db migrate"
        raise RuntimeError(msg)
    since = None if mark.received_upto is None else mark.received_upto - overlap
    counts = {
        "since": since or _EARLIEST,
        "seen_upto": mark.received_upto or _EARLIEST,
        "overlap_from": mark.clock - overlap,
        "upto": mark.clock,
    }
    with conn.transaction(), conn.cursor(row_factory=class_row(MinuteRows)) as counting:
        conn.execute(_Q["received_settings"])
        query = sql.SQL(_Q["received_minutes"]).format(source=sql.Identifier(source))
        found = counting.execute(query, counts).fetchall()
    minutes = touched(found, mark, since)
    hours = sorted({_hour(minute) for minute in minutes})

    def roll(on: Connection, lo: datetime, hi: datetime) -> None:
        within = minutes[bisect_left(minutes, lo) : bisect_left(minutes, hi)]
        with _lazily(on):
            if since is None:
                roll_once(on, kind, lo, hi, within)
            else:
                reroll(on, _REROLL[kind], lo, hi, within)

    todo = list(ranges(hours, HOUR))
    if since is None and helpers is not None and helpers.count > 0 and len(todo) > 1:
        on_connections(conn, helpers, todo, roll)
    else:
        for lo, hi in todo:
            roll(conn, lo, hi)
    kept, rows = overlap_counts(found)
    with _lazily(conn):
        conn.execute(
            _Q["set_watermark"],
            {
                "source": source,
                "upto": mark.clock,
                "overlap_from": counts["overlap_from"],
                "overlap_minutes": kept,
                "overlap_rows": rows,
            },
        )
    done = SourceRefresh(kind, len(minutes), len(hours), time.perf_counter() - began)
    if minutes:
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


def on_connections(
    conn: Connection,
    helpers: Helpers,
    todo: Sequence[tuple[datetime, datetime]],
    roll: Callable[[Connection, datetime, datetime], None],
) -> None:
    """`roll` each range on whichever connection is free, the caller's and the helpers';
    the first failure cancels the ranges not begun and is raised once the others end."""
    opened = [helpers.connect() for _ in range(min(helpers.count, len(todo) - 1))]
    idle: queue.SimpleQueue[Connection] = queue.SimpleQueue()
    for each in (conn, *opened):
        idle.put(each)

    def on_idle(lo: datetime, hi: datetime) -> None:
        on = idle.get()
        try:
            roll(on, lo, hi)
        finally:
            idle.put(on)

    try:
        with ThreadPoolExecutor(len(opened) + 1, thread_name_prefix="rollups") as pool:
            futures = [pool.submit(on_idle, lo, hi) for lo, hi in todo]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                pool.shutdown(cancel_futures=True)
                failed[0].result()
    finally:
        for each in opened:
            each.close()


@contextmanager
def _lazily(conn: Connection) -> Iterator[None]:
    """A transaction of the refresh, committed without waiting for the disk (rollups.sql,
    commit_lazily: the watermark commits last)."""
    with conn.transaction():
        conn.execute(_Q["commit_lazily"])
        yield


def roll_once(
    conn: Connection, kind: ReadingKind, lo: datetime, hi: datetime, minutes: list[datetime]
) -> None:
    """Roll a range of a source never refreshed: its buckets hold nothing, so its rows go in
    without the overwrite (the rollup tables' cheapest write); where a first refresh that
    died had rolled the range already (a duplicate), the range is rolled again in place."""
    if not unless_duplicate(conn, lambda: reroll(conn, _FILL[kind], lo, hi, minutes)):
        log.info("rollups %s: %s..%s rolled before (a first refresh died): again", kind, lo, hi)
        reroll(conn, _REROLL[kind], lo, hi, minutes)


def reroll(
    conn: Connection, statements: Sequence[str], lo: datetime, hi: datetime, minutes: list[datetime]
) -> None:
    """Roll the `minutes` of [lo, hi) (whole hours) and its hours again, with a kind's
    `statements`, in the caller's transaction. Not prepared: each plan is made for its
    range (chunks excluded, the minutes' array hashed)."""
    reroll_settings(conn)
    params = {"lo": lo, "hi": hi, "minutes": minutes}
    for statement in statements:
        conn.execute(statement, params, prepare=False)


def reroll_settings(conn: Connection) -> None:
    """What a range's statements run with (rollups.sql), in the caller's transaction."""
    conn.execute(_Q["reroll_settings"])


def reroll_statements(kind: ReadingKind, *, overwrite: bool = True) -> tuple[str, ...]:
    """What rolls a range of a kind at each level and width again; `overwrite=False`
    leaves out what replaces a bucket already rolled (for buckets never rolled)."""
    return tuple(
        statement
        for level in LEVELS
        for width in rollup_widths(kind, level)
        for statement in _reroll_queries(kind, level, width, overwrite=overwrite)
    )


def partial_aggregates(kind: ReadingKind) -> tuple[list[str], sql.Composable]:
    """The aggregates of every series a kind's rollups take, each once (a floor's series
    in place of the device's where the floor tells the probes apart), named s0_min, s0_max,
    .. s1_min ..: what a statement that aggregates the raw rows once computes (the
    benchmark's ceiling); and each one's metric."""
    floor = _series(kind, "floor")
    apart = {s.column for s in floor}
    series = floor + [s for s in _series(kind, "device") if s.column not in apart]
    return [s.metric for s in series], _aggregates(series)


def _aggregates(series: Sequence[_Series]) -> sql.Composable:
    return sql.SQL(",\n").join(
        sql.SQL(_fragment("series_aggregates")).format(
            value=sql.Identifier(s.column), taken=s.taken, name=sql.SQL(f"s{n}")
        )
        for n, s in enumerate(series)
    )


def _reroll_queries(
    kind: ReadingKind, level: Rollup, width: Width, *, overwrite: bool
) -> tuple[str, ...]:
    """What re-rolls a range of a kind at a level and width: its series (as
    core/measurements.py declares them), and per floor, the tags heard there."""
    fill = {
        "width": sql.Literal(_INTERVAL[width]),
        "minutes": sql.SQL(_fragment("touched_only") if width == "1m" else ""),
    }
    found: list[sql.Composable] = []
    series = _series(kind, level)
    if series:
        group = [c for c in _KEYS[level] if c not in ("metric", "kind")]
        found.append(
            sql.SQL(_fragment("series_rows")).format(
                keys=sql.SQL(", ").join(
                    sql.SQL("{} AS {}").format(_key_value(c, kind), sql.Identifier(c))
                    for c in _KEYS[level]
                ),
                group=sql.SQL(", ").join(map(sql.Identifier, group)),
                aggregates=_aggregates(series),
                series=sql.SQL(", ").join(
                    sql.SQL(_fragment("series_row")).format(
                        metric=sql.Literal(s.metric), name=sql.SQL(f"s{n}")
                    )
                    for n, s in enumerate(series)
                ),
                source=sql.Identifier(SOURCES[kind]),
                only=sql.SQL("AND floor IS NOT NULL" if level == "floor" else ""),
                **fill,
            )
        )
    if level == "floor" and kind == "tag":
        found.append(sql.SQL(_fragment("workers")).format(**fill))
    return tuple(_write(level, width, rows, overwrite=overwrite) for rows in found)


def _write(level: Rollup, width: Width, rows: sql.Composable, *, overwrite: bool) -> str:
    """The statement that writes `rows` into the level's rollup table of that width."""
    target = sql.Identifier(f"{level}_rollup_{width}")
    columns = ("bucket", *_KEYS[level], *_VALUES)

    def names(these: Iterable[str]) -> sql.Composable:
        return sql.SQL(", ").join(map(sql.Identifier, these))

    key = names(_PRIMARY[level])
    statement = sql.SQL(_fragment("write")).format(
        target=target,
        columns=names(columns),
        rows=rows,
        key=key,
        overwrite=sql.SQL(_fragment("overwrite")).format(key=key, target=target)
        if overwrite
        else sql.SQL(""),
    )
    return statement.as_string()


@dataclass(frozen=True)
class _Series:
    """A rolled-up series: its metric's name, the column it takes and which rows."""

    metric: str
    column: str
    taken: sql.Composable


def _series(kind: ReadingKind, level: Rollup) -> list[_Series]:
    """Per floor, a probe's temp_c is the concrete surface, not the air: its own series."""
    out: list[_Series] = []
    for m in rolled_up(kind, level):
        given = sql.SQL("{} IS NOT NULL").format(sql.Identifier(m.key))
        if level == "floor" and m.probe_name is not None:
            probe = sql.Identifier(PROBE.key)
            for metric, which in ((m.key, "NULL"), (m.probe_name, "NOT NULL")):
                taken = sql.SQL("{} AND {} IS {}").format(given, probe, sql.SQL(which))
                out.append(_Series(metric, m.key, taken))
        else:
            out.append(_Series(m.key, m.key, given))
    return out


def _fragment(name: str) -> str:
    """A piece of a statement from rollups.sql, without its comment."""
    return "\n".join(line for line in _Q[name].splitlines() if not line.startswith("--"))


def _key_value(column: str, kind: str) -> sql.Composable:
    """A key column's value for a row `r` of aggregates and its series `m`."""
    if column == "kind":
        return sql.Literal(kind)
    if column == "metric":
        return sql.SQL("m.metric")
    return sql.SQL("r.{}").format(sql.Identifier(column))


_REROLL = {kind: reroll_statements(kind) for kind in READING_KINDS}
_FILL = {kind: reroll_statements(kind, overwrite=False) for kind in READING_KINDS}


def _hour(bucket: datetime) -> datetime:
    return bucket.replace(minute=0, second=0, microsecond=0)
