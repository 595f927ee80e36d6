"""What the rules read: the registry as a SiteContext, readings as Samples, presence as
DeviceStates, a site's overrides."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import sql
from psycopg.rows import class_row, dict_row

from core.db import Connection
from core.kinds import READING_KINDS
from core.measurements import COLUMNS, table_of
from core.sql import load_queries
from rules.context import Crane, DeviceState, Sample, SiteContext, TaskSpan, Worker
from rules.regimes import Period

_Q = load_queries("rules", "store.sql")
# A sample's values: the kind's measurements with columns of their own.
_KEYS = {kind: tuple(m.key for m in columns) for kind, columns in COLUMNS.items()}
_READINGS = {
    kind: sql.SQL(_Q["readings"])
    .format(
        measurements=sql.SQL(", ").join(map(sql.Identifier, _KEYS[kind])),
        source=sql.Identifier(table_of(kind)),
    )
    .as_string()
    for kind in READING_KINDS
}


def site_timezones(conn: Connection, site: str | None) -> dict[str, str]:
    return dict(conn.execute(_Q["sites"], {"site": site}).fetchall())


def load_context(conn: Connection, site: str, timezone: str) -> SiteContext:
    p = {"site": site}
    floors = conn.execute(_Q["floors"], p).fetchall()
    with conn.cursor(row_factory=class_row(Crane)) as cur:
        cranes = {crane.id: crane for crane in cur.execute(_Q["cranes"], p)}
    with conn.cursor(row_factory=dict_row) as cur:
        workers = {
            row["tag"]: Worker(id=row["id"], name=row["name"], trade=row["trade"])
            for row in cur.execute(_Q["workers"], p)
        }
        tasks = tuple(
            TaskSpan(
                **(row | {"floors": frozenset(row["floors"]), "zones": frozenset(row["zones"])})
            )
            for row in cur.execute(_Q["tasks"], p)
        )
    return SiteContext(
        site_id=site,
        tz=ZoneInfo(timezone),
        floor_names={level: name for level, name, _ in floors},
        floor_elevations={level: elevation for level, _, elevation in floors},
        hazard_zones=frozenset(z for (z,) in conn.execute(_Q["hazard_zones"], p)),
        cranes=cranes,
        workers_by_tag=workers,
        gateway_of=dict(conn.execute(_Q["gateways"], p).fetchall()),
        tasks=tasks,
    )


def read_samples(
    conn: Connection, site: str, start: datetime, end: datetime, kinds: Iterable[str] | None = None
) -> list[Sample]:
    samples: list[Sample] = []
    params = {"site": site, "from": start, "to": end}
    wanted = set(READING_KINDS if kinds is None else kinds)
    for kind in (k for k in READING_KINDS if k in wanted):
        keys = _KEYS[kind]
        with conn.cursor(row_factory=dict_row) as cur:
            for row in cur.execute(_READINGS[kind], params):
                samples.append(
                    Sample(
                        device_id=row["device_id"],
                        kind=kind,
                        ts=row["ts"],
                        floor=row["floor"],
                        zone=row["zone"],
                        values={k: row[k] for k in keys if row[k] is not None},
                        received_at=row["received_at"],
                    )
                )
    return samples


def device_states(conn: Connection, site: str) -> list[DeviceState]:
    with conn.cursor(row_factory=class_row(DeviceState)) as cur:
        return cur.execute(_Q["device_states"], {"site": site}).fetchall()


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
            {
                "site": site,
                "from": since,
                "regimes": [p.regime for p in periods],
                "starts": [p.start for p in periods],
            },
        )
