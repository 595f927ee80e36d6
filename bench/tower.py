"""The scratch tower the API and dashboard benchmarks read: `floors` floors of three
environment sensors, 300 tags on four gateways, three cranes, and `days` of history as
ingest and the rules would have left it."""

from __future__ import annotations

import time

from bench.scratch import create_scratch
from core.db import Connection
from core.settings import Settings
from core.sql import load_queries
from sites.site_file import SiteFile
from sites.store import apply_site

SITE = "bench-tower"
_Q = load_queries("bench", "tower.sql")
TABLES = ("env_readings", "tag_readings", "crane_readings", "alerts")


def tower(floors: int) -> SiteFile:
    devices: list[dict[str, object]] = []
    for level in range(1, floors + 1):
        devices += [{"id": f"env-{level}f-{i}", "kind": "env", "floor": level} for i in range(3)]
    devices += [{"id": f"gw-{g}", "kind": "gateway"} for g in range(4)]
    devices += [{"id": f"tag-{t:04d}", "kind": "tag", "gateway": f"gw-{t % 4}"} for t in range(300)]
    devices += [{"id": f"tc-{n}", "kind": "crane"} for n in (1, 2, 3)]
    return SiteFile.model_validate(
        {
            "site": {"id": SITE, "name": "Bench tower", "timezone": "Asia/Shanghai"},
            "floors": [
                {"level": lv, "name": f"{lv}F", "elevation_m": 3.6 * (lv - 1)}
                for lv in range(1, floors + 1)
            ],
            "cranes": [
                {"id": f"tc-{n}", "x_m": 20.0 * n, "y_m": 30.0, "jib_m": 60.0, "rated_t": 8.0}
                for n in (1, 2, 3)
            ],
            "devices": devices,
        }
    )


def load_tower(database: str, floors: int, days: int) -> tuple[Settings, Connection]:
    """A scratch database holding the tower and its history; prints what it holds."""
    settings, conn = create_scratch(database)
    apply_site(conn, tower(floors))
    params = {"site": SITE, "days": days, "floors": floors, "alerts": 3000}
    began = time.perf_counter()
    for name in ("env_history", "tag_history", "crane_history", "state", "alerts"):
        conn.execute(_Q[name], params)
    conn.execute("ANALYZE")
    loaded = time.perf_counter() - began
    counts = {t: count_rows(conn, t) for t in TABLES}
    print(
        f"data: {floors} floors, {days} days, loaded in {loaded:.0f} s: "
        + ", ".join(f"{n:,} {t}" for t, n in counts.items())
    )
    return settings, conn


def count_rows(conn: Connection, table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
