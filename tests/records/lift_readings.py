"""Crane readings of synthetic lifts, published through the real pipeline."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt

from core.db import Connection
from simulators.cranes import moment_pct
from sites.site_file import SiteFile
from tests.helpers import publish, rows, wait_for

Reading = dict[str, Any]


def crane_reading(
    site: SiteFile, t: datetime, load_t: float, radius_m: float, slew_deg: float,
    height_m: float, wind_mps: float,
) -> Reading:  # fmt: skip
    crane = site.cranes[0]
    return {
        "ts": int(t.timestamp() * 1000),
        "load_t": round(load_t, 3),
        "radius_m": radius_m,
        "slew_deg": slew_deg,
        "height_m": height_m,
        "moment_pct": round(moment_pct(crane, load_t, radius_m), 2),
        "wind_mps": wind_mps,
    }


def a_lift(site: SiteFile, start: datetime, load_t: float, loaded_s: int) -> list[Reading]:
    """One a second: 20 s of an empty hook at the pick point, `loaded_s` with `load_t` on
    it (hoisted at 20 m, slewed and trolleyed out to 30 m, lowered onto 3F at 8.0 m), 20 s
    empty at the drop point. The wind rises to 8 m/s at the middle of the lift."""
    out = []
    for i in range(loaded_s + 40):
        t = start + timedelta(seconds=i)
        k = min(max(i - 20, 0), loaded_s - 1) / (loaded_s - 1)  # 0 at the pick, 1 at set-down
        loaded = 20 <= i < 20 + loaded_s
        wind = 5.0 + 3.0 * (1 - abs(2 * k - 1))
        height = 1.0 + 20 * (1 - abs(2 * k - 1)) if loaded else (1.0 if i < 20 else 9.5)
        if loaded and i == 19 + loaded_s:
            height = 9.5
        load = load_t + (0.02 if i % 2 else -0.02) if loaded else 0.0
        out.append(crane_reading(site, t, load, 20.0 + 10.0 * k, 45.0 + 75.0 * k, height, wind))
    return out


def publish_readings(client: mqtt.Client, site_id: str, readings: list[Reading]) -> None:
    topic = f"site/{site_id}/crane/tc-1/telemetry"
    for chunk in range(0, len(readings), 20):
        publish(client, topic, json.dumps(readings[chunk : chunk + 20]))


def wait_stored(conn: Connection, site_id: str, count: int) -> None:
    wait_for(
        lambda: rows(conn, "SELECT count(*) FROM crane_readings WHERE site_id = %s", site_id),
        lambda r: r[0][0] == count,
        timeout=30,
        what=f"{count} crane readings stored",
    )
