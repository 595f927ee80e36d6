"""Dashboard benchmark: every panel's SQL (Grafana's macros expanded) over 50 floors and
30 days of data, for a wall's 6 hours (1-minute points) and for 30 days (1-hour points),
p50/p99 per panel; and the rollup refresh, first (a backfill) and each minute after.

    .venv/bin/python -m bench.dashboards [--floors 50] [--days 30] [--runs 30]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.figures import bench_options, percentile, percentiles, timed
from bench.scratch import drop_scratch
from bench.tower import SITE, load_tower
from core.sql import load_queries
from dashboards.catalog import panel_queries
from dashboards.macros import QueryContext, expand
from storage.rollups import refresh_rollups

DB = "sitepulse_bench_dashboards"
_Q = load_queries("bench", "dashboards.sql")
GOAL_MS = 200.0


def main() -> int:
    args = bench_options(__doc__, floors=50, days=30, runs=30)

    settings, conn = load_tower(DB, args.floors, args.days)
    params = {"site": SITE}

    overlap = timedelta(minutes=10)
    began = time.perf_counter()
    first = refresh_rollups(conn, overlap)
    print(
        f"rollups, first refresh (backfill of {args.days} days): "
        f"{time.perf_counter() - began:.1f} s ("
        + ", ".join(f"{s.kind} {s.elapsed_s:.1f} s" for s in first)
        + ")"
    )
    conn.execute("ANALYZE")
    minutes = []
    for _ in range(10):
        conn.execute(_Q["fresh_minute"], params)
        began = time.perf_counter()
        refresh_rollups(conn, overlap)
        minutes.append((time.perf_counter() - began) * 1000)
    print(
        f"rollups, refresh each minute (a minute of new readings, late ones an hour old, "
        f"{overlap.seconds // 60} min overlap): {percentiles(minutes)}"
    )

    now = datetime.now(UTC)
    ranges = {
        "6 h": (timedelta(hours=6), timedelta(minutes=1)),
        "30 d": (timedelta(days=30), timedelta(hours=1)),
    }
    slowest = 0.0
    print(f"\n{'panel':<62} {'range':>5}   p50 / p99 (ms)")
    for panel in panel_queries():
        for label, (length, interval) in ranges.items():
            context = QueryContext(now - length, now, interval, {"site": SITE, "floor": "25"})
            sql = expand(panel.query.raw_sql, context.with_time_from(panel.time_from))
            samples = timed(lambda sql=sql: conn.execute(sql).fetchall(), args.runs)  # type: ignore[misc]
            p99 = percentile(samples, 0.99)
            slowest = max(slowest, p99)
            name = f"{panel.dashboard.removeprefix('sitepulse-')}: {panel.panel}"[:60]
            if panel.query.ref_id != "A":
                name = f"{name[:52]} [{panel.query.ref_id}]"
            print(f"{name:<62} {label:>5}   {statistics.median(samples):6.1f} / {p99:6.1f}")
    verdict = "within" if slowest <= GOAL_MS else "OVER"
    print(f"\nslowest p99 {slowest:.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal")
    drop_scratch(settings, conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
