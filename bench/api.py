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
from bench.scratch import create_scratch, drop_scratch
from core.sql import load_queries
from sites.site_file import SiteFile
from sites.store import apply_site

REPO = Path(__file__).resolve().parent.parent
DB = "sitepulse_bench_api"
SITE = "bench-tower"
_Q = load_queries("bench", "api.sql")


def tower(floors: int) -> SiteFile:
    devices: list[dict[str, object]] = []
    for level in range(1, floors + 1):
        devices += [{"id": f"env-{level}f-{i}", "kind": "env", "floor": level} for i in range(3)]
    devices += [{"id": f"gw-{g}", "kind": "gateway"} for g in range(4)]
    devices += [{"id": f"tag-{t:04d}", "kind": "tag", "gateway": f"gw-{t % 4}"} for t in range(300)]
    return SiteFile.model_validate(
        {
            "site": {"id": SITE, "name": "Bench tower", "timezone": "Asia/Shanghai"},
            "floors": [
                {"level": lv, "name": f"{lv}F", "elevation_m": 3.6 * (lv - 1)}
                for lv in range(1, floors + 1)
            ],
            "devices": devices,
        }
    )


def main() -> int:
    args = bench_options(
        __doc__,
        floors=50,
        days=30,
        requests=300,
    )

    settings, conn = create_scratch(DB)
    apply_site(conn, tower(args.floors))
    begun = time.perf_counter()
    params = {"site": SITE, "days": args.days, "floors": args.floors}
    conn.execute(_Q["env_history"], params)
    conn.execute(_Q["tag_history"], params)
    conn.execute(_Q["state"], params)
    conn.execute("ANALYZE")
    counts = [
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()
        for t in ("env_readings", "tag_readings")
    ]
    print(
        f"data: {args.floors} floors, {args.days} days: {counts[0][0]:,} env rows, "  # type: ignore[index]
        f"{counts[1][0]:,} tag rows, loaded in {time.perf_counter() - begun:.0f} s"  # type: ignore[index]
    )
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
