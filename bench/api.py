"""API benchmark: floors status and readings latency (p50/p99) over real HTTP with 50
floors and 30 days of data, against the same queries run straight on PostgreSQL.

    .venv/bin/python -m bench.api [--floors 50] [--days 30] [--requests 300]
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import uvicorn

from api.app import create_app
from api.keys import create_key
from api.site_status import FLOORS_SQL
from bench.figures import bench_options, percentiles, timed
from bench.scratch import drop_scratch
from bench.tower import SITE, load_tower

REPO = Path(__file__).resolve().parent.parent
DB = "sitepulse_bench_api"


def main() -> int:
    args = bench_options(__doc__, floors=50, days=30, requests=300)

    settings, conn = load_tower(DB, args.floors, args.days)
    _, key = create_key(conn, "bench", "viewer")

    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=8765, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    client = httpx.Client(
        base_url="http://127.0.0.1:8765", headers={"Authorization": f"Bearer {key}"}
    )
    now = datetime.now(UTC)
    day = {"from": (now - timedelta(days=1)).isoformat(), "to": now.isoformat()}
    middle = args.floors // 2 or 1
    floor = f"/api/v1/sites/{SITE}/floors/{middle}/readings"
    device = f"/api/v1/devices/env-{middle}f-1/readings"
    month = {"from": (now - timedelta(days=30)).isoformat(), "to": now.isoformat()}

    def get(path: str, **query: object) -> Callable[[], object]:
        return lambda: client.get(path, params=query).raise_for_status()  # type: ignore[arg-type]

    def sql() -> object:
        return conn.execute(FLOORS_SQL, {"site": SITE}).fetchall()

    cases: list[tuple[str, Callable[[], object]]] = [
        ("GET floors status (HTTP)", get(f"/api/v1/sites/{SITE}/floors")),
        ("  same query on PostgreSQL", sql),
        ("GET device readings, 1 day, limit 1000", get(device, **day, limit=1000)),
        ("GET floor temp_c, 1 day, 5 min buckets", get(floor, **day, metric="temp_c", bucket="5m")),
        (
            "GET floor temp_c, 30 days, 1 h buckets",
            get(floor, **month, metric="temp_c", bucket="1h"),
        ),
        ("GET healthz (HTTP floor: SELECT 1)", get("/healthz")),
    ]
    for name, call in cases:
        print(f"{name:<44} {percentiles(timed(call, args.requests))}")
    server.should_exit = True
    thread.join(10)
    drop_scratch(settings, conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
