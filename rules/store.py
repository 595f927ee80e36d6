"""What the rules read: the registry as a SiteContext, readings as Samples, presence as
DeviceStates, a site's overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.db import Connection
from core.kinds import READING_KINDS
from core.sql import load_queries
from rules.context import Crane, DeviceState, Sample, SiteContext, Worker

_Q = load_queries("rules", "store.sql")


def site_timezones(conn: Connection, site: str | None) -> dict[str, str]:
    return dict(conn.execute(_Q["sites"], {"site": site}).fetchall())


def load_context(conn: Connection, site: str, timezone: str) -> SiteContext:
    p = {"site": site}
    floors = conn.execute(_Q["floors"], p).fetchall()
    return SiteContext(
        site_id=site,
        tz=ZoneInfo(timezone),
        floor_names={level: name for level, name, _ in floors},
        floor_elevations={level: elevation for level, _, elevation in floors},
        hazard_zones=frozenset(z for (z,) in conn.execute(_Q["hazard_zones"], p)),
        cranes={row[0]: Crane(*row) for row in conn.execute(_Q["cranes"], p)},
        workers_by_tag={tag: Worker(*rest) for tag, *rest in conn.execute(_Q["workers"], p)},
        gateway_of=dict(conn.execute(_Q["gateways"], p).fetchall()),
    )


def read_samples(conn: Connection, site: str, start: datetime, end: datetime) -> list[Sample]:
    samples: list[Sample] = []
    params = {"site": site, "from": start, "to": end}
    for kind in READING_KINDS:
        with conn.cursor() as cur:
            cur.execute(_Q[f"{kind}_readings"], params)
            keys = [c.name for c in cur.description or ()][4:]
            for device, ts, floor, zone, *values in cur:
                present = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
                samples.append(Sample(device, kind, ts, floor, zone, present))
    return samples


def device_states(conn: Connection, site: str) -> list[DeviceState]:
    return [DeviceState(*row) for row in conn.execute(_Q["device_states"], {"site": site})]


def overrides(conn: Connection, site: str) -> dict[str, dict[str, Any]]:
    return dict(conn.execute(_Q["overrides"], {"site": site}).fetchall())


def change_marks(conn: Connection) -> tuple[Any, ...]:
    """Changes in the registry or in any overrides change this value."""
    (registry,) = conn.execute(_Q["registry_version"]).fetchone() or (0,)
    count, newest = conn.execute(_Q["overrides_version"]).fetchone() or (0, None)
    return registry, count, newest
