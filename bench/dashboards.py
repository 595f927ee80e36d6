"""Dashboard benchmark: the rollups' backfill and per-minute refresh beside their targets
and a ceiling, then every panel's SQL (Grafana's macros expanded) over 50 floors and 30 days
of data, for a wall's 6 hours (1-minute points) and for 30 days (1-hour points), p50/p99.

The ceiling is PostgreSQL running the backfill's own statements over the same ranges into
unindexed temporary tables: the same raw rows read, grouped and written, without the rollup
tables' indexes and WAL nor the overwrite of a bucket rolled before. A backfill cannot go
below it on this machine; what lies between is the price of the rollup tables.

    .venv/bin/python -m bench.dashboards [--floors 50] [--days 30] [--runs 30]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import get_args

from psycopg import sql

from bench.figures import bench_options, percentile, percentiles, timed
from bench.scratch import drop_scratch
from bench.tower import SITE, count_rows, load_tower
from core.db import Connection
from core.sql import load_queries
from dashboards.catalog import panel_queries
from dashboards.macros import QueryContext, expand
from storage.rollups import (
    HOUR,
    LEVELS,
    MINUTE,
    SOURCES,
    Width,
    ranges,
    refresh_rollups,
    reroll,
    reroll_statements,
)

DB = "sitepulse_bench_dashboards"
_Q = load_queries("bench", "dashboards.sql")
GOAL_MS = 200.0  # a panel's p99
BACKFILL_TARGET = 100_000  # raw rows/s, issue 14
REFRESH_TARGET_MS = 200.0  # the per-minute refresh's p99, issue 14
_CEILING = "ceiling_{level}_{width}"


def main() -> int:
    args = bench_options(__doc__, floors=50, days=30, runs=30)

    settings, conn = load_tower(DB, args.floors, args.days)
    params = {"site": SITE}
    raw_rows = sum(count_rows(conn, table) for table in SOURCES.values())

    overlap = timedelta(minutes=10)
    began = time.perf_counter()
    first = refresh_rollups(conn, overlap)
    backfill_s = time.perf_counter() - began
    ceiling_s = rollup_ceiling(conn)
    print(
        f"rollups, first refresh (a {args.days}-day backfill of {raw_rows:,} raw rows): "
        f"{backfill_s:.1f} s = {raw_rows / backfill_s:,.0f} rows/s "
        f"(target >= {BACKFILL_TARGET:,}/s; "
        + ", ".join(f"{s.kind} {s.elapsed_s:.1f} s" for s in first)
        + ")\n"
        f"  ceiling, the same statements into unindexed temporary tables: {ceiling_s:.1f} s "
        f"= {raw_rows / ceiling_s:,.0f} rows/s; the backfill at {ceiling_s / backfill_s:.2f} of it"
    )
    conn.execute("ANALYZE")
    conn.execute(_Q["summarize_received"])
    began = time.perf_counter()
    refresh_rollups(conn, overlap)
    print(f"rollups, the refresh after it (what arrived meanwhile): {elapsed_ms(began):.0f} ms")
    minutes = []
    for _ in range(args.runs):
        conn.execute(_Q["fresh_minute"], params)
        began = time.perf_counter()
        refresh_rollups(conn, overlap)
        minutes.append(elapsed_ms(began))
    p99 = percentile(minutes, 0.99)
    print(
        f"rollups, refresh each minute (a minute of new readings, late ones an hour old, "
        f"{overlap.seconds // 60} min overlap; {args.runs} runs): {percentiles(minutes)} "
        f"({'within' if p99 <= REFRESH_TARGET_MS else 'OVER'} the target "
        f"p99 <= {REFRESH_TARGET_MS:.0f} ms)"
    )

    now = datetime.now(UTC)
    spans = {
        "6 h": (timedelta(hours=6), timedelta(minutes=1)),
        "30 d": (timedelta(days=30), timedelta(hours=1)),
    }
    slowest = 0.0
    print(f"\n{'panel':<62} {'range':>5}   p50 / p99 (ms)")
    for panel in panel_queries():
        for label, (length, interval) in spans.items():
            context = QueryContext(now - length, now, interval, {"site": SITE, "floor": "25"})
            query = expand(panel.query.raw_sql, context.with_time_from(panel.time_from))
            samples = timed(lambda q=query: conn.execute(q).fetchall(), args.runs)  # type: ignore[misc]
            panel_p99 = percentile(samples, 0.99)
            slowest = max(slowest, panel_p99)
            name = f"{panel.dashboard.removeprefix('sitepulse-')}: {panel.panel}"[:60]
            if panel.query.ref_id != "A":
                name = f"{name[:52]} [{panel.query.ref_id}]"
            print(f"{name:<62} {label:>5}   {statistics.median(samples):6.1f} / {panel_p99:6.1f}")
    verdict = "within" if slowest <= GOAL_MS else "OVER"
    print(f"\nslowest p99 {slowest:.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal")
    drop_scratch(settings, conn)
    return 0


def elapsed_ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000


def rollup_ceiling(conn: Connection) -> float:
    """Seconds for the backfill's statements over every hour of the raw rows, each range's
    every minute, into temporary tables shaped like the rollups."""
    widths: tuple[Width, ...] = get_args(Width)
    for level in LEVELS:
        for width in widths:
            conn.execute(
                sql.SQL(_Q["ceiling_table"]).format(
                    table=sql.Identifier(_CEILING.format(level=level, width=width)),
                    rollup=sql.Identifier(f"{level}_rollup_{width}"),
                )
            )
    began = time.perf_counter()
    for kind, source in SOURCES.items():
        statements = reroll_statements(kind, table=_CEILING, overwrite=False)
        span = sql.SQL(_Q["span"]).format(source=sql.Identifier(source))
        first, last = conn.execute(span).fetchone() or (None, None)
        if first is None or last is None:
            continue
        hours = [first + HOUR * n for n in range(int((last - first) / HOUR) + 1)]
        for lo, hi in ranges(hours, HOUR):
            with conn.transaction():
                every = [lo + MINUTE * n for n in range(int((hi - lo) / MINUTE))]
                reroll(conn, statements, lo, hi, every)
    elapsed = time.perf_counter() - began
    for level in LEVELS:
        for width in widths:
            table = sql.Identifier(_CEILING.format(level=level, width=width))
            conn.execute(sql.SQL(_Q["drop_ceiling_table"]).format(table=table))
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
