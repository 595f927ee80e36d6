"""A site's status now: each floor's status, the cranes with their state, the open alerts.
The read models the floors and cranes routes answer with, the live stream sends (and so
the wall board shows), and the demo prints; routers and the demo import them from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from psycopg import sql
from psycopg.rows import class_row, kwargs_row
from pydantic import BaseModel

from core.db import Connection
from core.measurements import FLOOR_STATUS, PROBE, Measurement
from core.sql import load_queries

_Q = load_queries("api", "site_status.sql")
FloorStatus = Literal["ok", "warning", "alarm", "offline"]
_SUMMARY = {"mean": "avg", "max": "max"}


def _summary(m: Measurement) -> sql.Composable:
    """A floor measurement in a floor's status: the mean or max of the latest values of the
    floor's air sensors (of the probes, for the probe's own key)."""
    assert m.floor_summary is not None
    air = m.kind == PROBE.kind and not m.probe
    sensors = sql.SQL("air.air") if air else sql.SQL("s.kind = {}").format(sql.Literal(m.kind))
    return sql.SQL("{}((s.latest ->> {})::float8) FILTER (WHERE {}) AS {}").format(
        sql.SQL(_SUMMARY[m.floor_summary]), sql.Literal(m.key), sensors, sql.Identifier(m.key)
    )


# The floors query as it runs (the benchmark times it on its own too).
FLOORS_SQL = (
    sql.SQL(_Q["floors"])
    .format(
        environment=sql.SQL(", ").join(_summary(m) for m in FLOOR_STATUS),
        probe_kind=sql.Literal(PROBE.kind),
        probe=sql.Literal(PROBE.key),
    )
    .as_string()
)


class Floor(BaseModel):
    level: int
    name: str
    status: FloorStatus
    workers_present: int
    environment: dict[str, float]
    sensors_online: int
    sensors_offline: int
    # ids of the schedule tasks under way there now
    active_tasks: list[str]
    # open alerts (active or acknowledged) located on this floor
    active_alerts: int


class Crane(BaseModel):
    id: str
    name: str | None
    x_m: float
    y_m: float
    jib_m: float
    rated_t: float
    online: bool | None
    last_ts: datetime | None
    latest: dict[str, Any] | None
    lifts_today: int  # work cycles begun since the site's midnight (records/lifts.py)


class OpenAlert(BaseModel):
    id: int
    state: str
    severity: str
    title: str
    message: str
    floor: int | None
    raised_at: datetime


def floor_statuses(conn: Connection, site: str) -> list[Floor]:
    """Each floor of a site, top first."""
    with conn.cursor(row_factory=kwargs_row(_floor)) as cur:
        return cur.execute(FLOORS_SQL, {"site": site}).fetchall()


def crane_states(conn: Connection, site: str) -> list[Crane]:
    with conn.cursor(row_factory=class_row(Crane)) as cur:
        return cur.execute(_Q["cranes"], {"site": site}).fetchall()


def open_alerts(conn: Connection, site: str, *, limit: int) -> list[OpenAlert]:
    """The site's open (active or acknowledged) alerts, newest first."""
    with conn.cursor(row_factory=class_row(OpenAlert)) as cur:
        return cur.execute(_Q["open_alerts"], {"site": site, "limit": limit}).fetchall()


def floor_status(online: int, offline: int, active_alerts: int, alarm: bool) -> FloorStatus:
    """Alarm: an open critical or major alert. Offline: every sensor silent. Warning: an
    open minor alert or warning. Otherwise ok."""
    if alarm:
        return "alarm"
    if offline and not online:
        return "offline"
    return "warning" if active_alerts else "ok"


def _floor(
    *,
    level: int,
    name: str,
    workers_present: int,
    sensors_online: int,
    sensors_offline: int,
    active_alerts: int,
    alarm: bool,
    active_tasks: list[str],
    **environment: float | None,
) -> Floor:
    """A floor from its row, whose columns are named like these parameters; the others are
    the floor measurements' (core/measurements.py FLOOR_STATUS), in their order."""
    return Floor(
        level=level,
        name=name,
        status=floor_status(sensors_online, sensors_offline, active_alerts, alarm),
        workers_present=workers_present,
        environment={k: round(v, 2) for k, v in environment.items() if v is not None},
        sensors_online=sensors_online,
        sensors_offline=sensors_offline,
        active_tasks=active_tasks,
        active_alerts=active_alerts,
    )
