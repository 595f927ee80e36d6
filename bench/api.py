"""API benchmark: floors status and readings latency (p50/p99) over real HTTP with 50
floors and 30 days of data, rolled up as the storage job leaves them, against the same
queries run straight on PostgreSQL and the HTTP floor (healthz).

    .venv/bin/python -m bench.api [--floors 50] [--days 30] [--requests 300]
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import uvicorn

from api.app import create_app
from api.floor_series import HOUR, floor_series, read_floor_series, split_range
from api.keys import create_key
from api.site_status import FLOORS_SQL
from bench.figures import bench_options, percentile, percentiles, timed
from bench.scratch import drop_scratch
from bench.tower import SITE, load_tower
from storage.jobs import refresh

DB = "sitepulse_bench_api"
TARGET_MS = 50.0  # issue 14: a floor's month in 1-hour buckets, p99 over HTTP
Call = Callable[[], object]


def main() -> int:
    args = bench_options(__doc__, floors=50, days=30, requests=300)

    settings, conn = load_tower(DB, args.floors, args.days)
    began = time.perf_counter()
    refresh(conn, settings)
    backfill_s = time.perf_counter() - began
    print(f"rollups: first refresh (a {args.days}-day backfill) in {backfill_s:.0f} s")
    conn.execute("ANALYZE")
    _, key = create_key(conn, "bench", "viewer")

    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=8765, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():  # the app refused to start (its error is logged above)
            drop_scratch(settings, conn)
            return 1
        time.sleep(0.05)
    client = httpx.Client(
        base_url="http://127.0.0.1:8765", headers={"Authorization": f"Bearer {key}"}
    )
    now = datetime.now(UTC)
    day = {"from": (now - timedelta(days=1)).isoformat(), "to": now.isoformat()}
    month = (now - timedelta(days=30), now)
    month_query = {"from": month[0].isoformat(), "to": month[1].isoformat()}
    levels = range(1, args.floors + 1)
    middle = args.floors // 2 or 1

    def floor(level: int) -> str:
        return f"/api/v1/sites/{SITE}/floors/{level}/readings"

    def get(path: str, **query: object) -> Call:
        return lambda: client.get(path, params=query).raise_for_status()  # type: ignore[arg-type]

    def month_on(level: int) -> Call:
        return get(floor(level), **month_query, metric="temp_c", bucket="1h")

    def month_in_sql(level: int) -> Call:
        return lambda: floor_series(conn, SITE, level, "temp_c", HOUR, *month)

    def month_from_raw(level: int) -> Call:
        raw = split_range(*month, HOUR, None)
        return lambda: read_floor_series(conn, SITE, level, "temp_c", HOUR, raw)

    def status_in_sql() -> object:
        return conn.execute(FLOORS_SQL, {"site": SITE}).fetchall()

    device = f"/api/v1/devices/env-{middle}f-1/readings"
    cases: list[tuple[str, Call, bool]] = [
        ("GET floors status (HTTP)", get(f"/api/v1/sites/{SITE}/floors"), False),
        ("  same query on PostgreSQL", status_in_sql, False),
        ("GET device readings, 1 day, limit 1000", get(device, **day, limit=1000), False),
        (
            "GET floor temp_c, 1 day, 5 min buckets",
            get(floor(middle), **day, metric="temp_c", bucket="5m"),
            False,
        ),
        ("GET floor temp_c, 30 days, 1 h buckets, 1 floor", month_on(middle), True),
        (f"  the same, each of the {args.floors} floors in turn", _each(levels, month_on), True),
        ("  same rollup query on PostgreSQL, each floor", _each(levels, month_in_sql), False),
        ("  from raw rows alone on PostgreSQL (before)", _each(levels, month_from_raw), False),
        ("GET healthz (HTTP floor: SELECT 1)", get("/healthz"), False),
    ]
    for name, call, targeted in cases:
        samples = timed(call, args.requests)
        verdict = ""
        if targeted:
            met = "met" if percentile(samples, 0.99) <= TARGET_MS else "NOT met"
            verdict = f"   target p99 <= {TARGET_MS:.0f} ms: {met}"
        print(f"{name:<50} {percentiles(samples)}{verdict}")
    server.should_exit = True
    thread.join(10)
    drop_scratch(settings, conn)
    return 0


def _each(levels: range, call_on: Callable[[int], Call]) -> Call:
    """One call a time, each on the next floor, round the building."""
    calls = itertools.cycle([call_on(level) for level in levels])
    return lambda: next(calls)()


if __name__ == "__main__":
    sys.exit(main())
