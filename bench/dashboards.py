"""Dashboard benchmark: the rollups' backfill and per-minute refresh beside their targets
and a ceiling, then every panel's SQL (Grafana's macros expanded) over 50 floors and 30 days
of data, for a wall's 6 hours (1-minute points) and for 30 days (1-hour points), p50/p99.

The backfill's ceiling is PostgreSQL reading the same raw rows once, over the same ranges,
and aggregating them per minute and device (every series the rollups take, each once) into
an unindexed temporary table: what any backfill must do at least, before it writes a
rollup row. What lies between is the price of the rollups' rows (four levels and widths,
one row per metric, each with two index entries).

    .venv/bin/python -m bench.dashboards [--floors 50] [--days 30] [--runs 30]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from psycopg import sql

from bench.figures import bench_options, percentile, percentiles, timed
from bench.scratch import drop_scratch
from bench.tower import SITE, count_rows, load_tower
from core.db import Connection
from core.sql import load_queries
from dashboards.catalog import panel_queries
from dashboards.macros import QueryContext, expand
from storage.jobs import backfill_helpers, refresh
from storage.rollups import (
    HOUR,
    SOURCES,
    Helpers,
    on_connections,
    partial_aggregates,
    ranges,
    reroll_settings,
)

DB = "sitepulse_bench_dashboards"
Fill = dict[str, sql.Composable]
_Q = load_queries("bench", "dashboards.sql")
GOAL_MS = 200.0  # a panel's p99
BACKFILL_TARGET = 100_000  # raw rows/s, issue 14
REFRESH_TARGET_MS = 200.0  # the per-minute refresh's p99, issue 14


def main() -> int:
    args = bench_options(__doc__, floors=50, days=30, runs=30)

    settings, conn = load_tower(DB, args.floors, args.days)
    params = {"site": SITE}
    raw_rows = sum(count_rows(conn, table) for table in SOURCES.values())

    overlap = timedelta(seconds=settings.rollup_overlap_s)
    began = time.perf_counter()
    first = refresh(conn, settings)
    backfill_s = time.perf_counter() - began
    ceiling_s = rollup_ceiling(conn, backfill_helpers(settings))
    print(
        f"rollups, first refresh (a {args.days}-day backfill of {raw_rows:,} raw rows): "
        f"{backfill_s:.1f} s = {raw_rows / backfill_s:,.0f} rows/s "
        f"(target >= {BACKFILL_TARGET:,}/s; "
        + ", ".join(f"{s.kind} {s.elapsed_s:.1f} s" for s in first)
        + ")\n"
        f"  ceiling, the raw rows read once, aggregated per minute and device on as many "
        f"connections ({settings.rollup_backfill_connections}): {ceiling_s:.1f} s "
        f"= {raw_rows / ceiling_s:,.0f} rows/s; the backfill at {ceiling_s / backfill_s:.2f} of it"
    )
    conn.execute("ANALYZE")
    conn.execute(_Q["summarize_received"])
    began = time.perf_counter()
    refresh(conn, settings)
    print(f"rollups, the refresh after it (what arrived meanwhile): {elapsed_ms(began):.0f} ms")
    minutes = []
    for _ in range(args.runs):
        conn.execute(_Q["fresh_minute"], params)
        began = time.perf_counter()
        refresh(conn, settings)
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


def rollup_ceiling(conn: Connection, helpers: Helpers) -> float:
    """Seconds for PostgreSQL to read every raw row once, a backfill's range at a time on
    as many connections as the backfill, and aggregate it per minute and device into
    temporary tables (each connection its own)."""
    began = time.perf_counter()
    for kind, source in SOURCES.items():
        fill = {
            "table": sql.Identifier(f"ceiling_{kind}"),
            "source": sql.Identifier(source),
            "aggregates": partial_aggregates(kind)[1],
        }

        def aggregate(on: Connection, lo: datetime, hi: datetime, fill: Fill = fill) -> None:
            with on.transaction():
                reroll_settings(on)
                on.execute(sql.SQL(_Q["ceiling_table"]).format(**fill))
                on.execute(sql.SQL(_Q["ceiling"]).format(**fill), {"lo": lo, "hi": hi})

        span = sql.SQL(_Q["span"]).format(source=sql.Identifier(source))
        first, last = conn.execute(span).fetchone() or (None, None)
        hours = (
            [] if first is None else [first + HOUR * n for n in range((last - first) // HOUR + 1)]
        )
        on_connections(conn, helpers, list(ranges(hours, HOUR)), aggregate)
    elapsed = time.perf_counter() - began
    for kind in SOURCES:
        conn.execute(
            sql.SQL(_Q["drop_ceiling_table"]).format(table=sql.Identifier(f"ceiling_{kind}"))
        )
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
