"""Sites and their floors' status at a glance."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ConnDep, Viewer
from api.problems import Problem
from core.db import Connection
from core.sql import load_queries

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
_Q = load_queries("api", "floors.sql")
FloorStatus = Literal["ok", "warning", "alarm", "offline"]


class Site(BaseModel):
    id: str
    name: str
    timezone: str


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


@router.get("")
def list_sites(conn: ConnDep, _key: Viewer) -> list[Site]:
    return [Site(id=r[0], name=r[1], timezone=r[2]) for r in conn.execute(_Q["sites"])]


@router.get("/{site}/floors")
def floors(site: str, conn: ConnDep, _key: Viewer) -> list[Floor]:
    site_or_404(conn, site)
    return floor_statuses(conn, site)


def floor_statuses(conn: Connection, site: str) -> list[Floor]:
    """Each floor of a site, top first: what the API, the stream and the demo show."""
    return [_floor(row) for row in conn.execute(_Q["floors"], {"site": site})]


def site_or_404(conn: Connection, site: str) -> Site:
    row = conn.execute(_Q["site"], {"site": site}).fetchone()
    if row is None:
        raise Problem(404, "Not found", f"no site {site!r}")
    return Site(id=row[0], name=row[1], timezone=row[2])


def _floor(row: tuple[Any, ...]) -> Floor:
    level, name, workers, temp, rh, pm10, noise, core, online, offline, alerts, alarm, tasks = row
    values = {"temp_c": temp, "rh_pct": rh, "pm10_ugm3": pm10, "noise_dba": noise}
    values["core_temp_c"] = core
    environment = {k: round(float(v), 2) for k, v in values.items() if v is not None}
    return Floor(
        level=level,
        name=name,
        status=floor_status(online, offline, alerts, alarm),
        workers_present=workers,
        environment=environment,
        sensors_online=online,
        sensors_offline=offline,
        active_tasks=list(tasks),
        active_alerts=alerts,
    )


def floor_status(online: int, offline: int, active_alerts: int, alarm: bool) -> FloorStatus:
    """Alarm: an open critical or major alert. Offline: every sensor silent. Warning: an
    open minor alert or warning. Otherwise ok."""
    if alarm:
        return "alarm"
    if offline and not online:
        return "offline"
    return "warning" if active_alerts else "ok"
