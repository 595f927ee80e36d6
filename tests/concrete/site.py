"""What the concrete tests share: the test site with two probes on 2F and a `concrete:`
section, a schedule imported as `sitepulse schedule import` would, readings over MQTT."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt

from core.db import Connection
from schedules.mapping import Mapping
from schedules.store import apply_schedule, read_schedule, site_frame
from sites.site_file import SiteFile, parse_site_file
from sites.store import apply_site
from tests.helpers import publish, rows, site_yaml, wait_for

TZ = ZoneInfo("Asia/Shanghai")  # tests/data/site.yaml's
PROBES = ("env-2f-p1", "env-2f-p2")
CONCRETE = """\
concrete:
  datum_c: -10
  gap_limit_h: 2
  default_grade: C30
  trend_h: 6
  stripping: {member: slab, span_m: 6}
  frost: {cement: portland, curing: ordinary}
  curves:
    C40: {a_mpa: -70.0, b_mpa: 28.0, calibrated: true}
"""


def concrete_site_yaml(site_id: str) -> str:
    probes = "".join(f"  - {{id: {p}, kind: env, floor: 2}}\n" for p in PROBES)
    text = site_yaml(site_id).replace(
        "  - {id: env-3f-01, kind: env, floor: 3}\n",
        "  - {id: env-3f-01, kind: env, floor: 3}\n" + probes,
    )
    return text + CONCRETE


def load_concrete_site(conn: Connection, site_id: str) -> SiteFile:
    site = parse_site_file(concrete_site_yaml(site_id), "concrete test site")
    apply_site(conn, site)
    return site


def import_csv(conn: Connection, site: str, tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "schedule.csv"
    head = "id,name,type,floors,planned_start,planned_finish,grade"
    path.write_text(head + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    apply_schedule(conn, site, read_schedule(path, site_frame(conn, site), Mapping()))


def local(ts: datetime) -> str:
    """A time as a schedule on the site's clock writes it."""
    return ts.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def series(
    start: datetime, hours: float, every: timedelta, key: str, temp: Any
) -> list[dict[str, Any]]:
    """Readings from `start` for `hours`, `temp` a value or a function of hours since start."""
    n = int(timedelta(hours=hours) / every)
    out = []
    for i in range(n + 1):
        ts = start + every * i
        value = temp((ts - start) / timedelta(hours=1)) if callable(temp) else temp
        out.append({"ts": ms(ts), key: round(float(value), 3)})
    return out


def publish_stored(
    conn: Connection, client: mqtt.Client, site: str, batches: dict[str, list[dict[str, Any]]]
) -> None:
    """Publish each device's readings and wait until ingest has stored them all."""
    before = rows(conn, "SELECT count(*) FROM env_readings")[0][0]
    for device, readings in batches.items():
        publish(client, f"site/{site}/env/{device}/telemetry", json.dumps(readings))
    total = before + sum(len(r) for r in batches.values())
    wait_for(
        lambda: rows(conn, "SELECT count(*) FROM env_readings")[0][0],
        lambda n: n == total,
        timeout=60,
        what=f"{total} env readings stored",
    )
