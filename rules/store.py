"""What the rules read: the registry as a SiteContext, readings as Samples, presence as
DeviceStates, a site's overrides."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.db import Connection
from core.kinds import READING_KINDS
from core.sql import load_queries
from rules.context import Crane, DeviceState, Sample, SiteContext, TaskSpan, Worker
from rules.regimes import Period

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
        tasks=tuple(
            TaskSpan(task, kind, frozenset(floors), frozenset(zones), start, end)
            for task, kind, floors, zones, start, end in conn.execute(_Q["tasks"], p)
        ),
    )


def read_samples(
    conn: Connection, site: str, start: datetime, end: datetime, kinds: Iterable[str] | None = None
) -> list[Sample]:
    samples: list[Sample] = []
    params = {"site": site, "from": start, "to": end}
    wanted = set(READING_KINDS if kinds is None else kinds)
    for kind in (k for k in READING_KINDS if k in wanted):
        with conn.cursor() as cur:
            cur.execute(_Q[f"{kind}_readings"], params)
            keys = [c.name for c in cur.description or ()][5:]
            for device, ts, received_at, floor, zone, *values in cur:
                present = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
                samples.append(Sample(device, kind, ts, floor, zone, present, received_at))
    return samples


def device_states(conn: Connection, site: str) -> list[DeviceState]:
    return [DeviceState(*row) for row in conn.execute(_Q["device_states"], {"site": site})]


def overrides(conn: Connection, site: str) -> dict[str, dict[str, Any]]:
    return dict(conn.execute(_Q["overrides"], {"site": site}).fetchall())


def change_marks(conn: Connection) -> tuple[Any, ...]:
    """Changes in the registry, the overrides or the schedule change this value."""
    (registry,) = conn.execute(_Q["registry_version"]).fetchone() or (0,)
    count, newest = conn.execute(_Q["overrides_version"]).fetchone() or (0, None)
    tasks = conn.execute(_Q["tasks_version"]).fetchone()
    return registry, count, newest, tasks


def daily_means(
    conn: Connection, site: str, tz: str, start: datetime, end: datetime
) -> dict[date, float]:
    params = {"site": site, "tz": tz, "from": start, "to": end}
    return {day: float(mean) for day, mean in conn.execute(_Q["daily_means"], params)}


def save_regimes(conn: Connection, site: str, since: date, periods: Sequence[Period]) -> None:
    """The periods found from `since` on replace what was stored for that span."""
    with conn.transaction():
        for p in periods:
            conn.execute(
                _Q["save_regime"],
                {"site": site, "regime": p.regime, "start": p.start, "end": p.end},
            )
        conn.execute(
            _Q["drop_regimes"],
            {"site": site, "from": since, "regimes": [p.regime for p in periods],
             "starts": [p.start for p in periods]},
        )  # fmt: skip
