"""What is on a site, with each thing's current state: zones, cranes, devices, workers,
and a floor's environment over time (api/floor_series.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from psycopg.rows import class_row
from pydantic import BaseModel

from api.deps import ConnDep, Viewer
from api.floor_series import METRICS, Bucket, floor_series
from api.floors import site_or_404
from api.params import Moment, time_range
from api.problems import Problem
from api.site_status import Crane, crane_states
from core.db import Connection
from core.sql import load_queries

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["sites"])
_Q = load_queries("api", "registry.sql")
if TYPE_CHECKING:
    Metric = str
else:
    Metric = Literal[METRICS]
BUCKETS = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "1d": 86400}
MAX_POINTS = 5000
M = TypeVar("M", bound=BaseModel)
Page = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class Zone(BaseModel):
    id: str
    floor: int
    name: str | None
    polygon: list[list[float]]
    hazard: bool


class Device(BaseModel):
    id: str
    kind: str
    name: str | None
    floor: int | None
    zone: str | None
    gateway: str | None
    online: bool | None
    status_changed_at: datetime | None
    status_reason: str | None
    last_seen_at: datetime | None
    last_ts: datetime | None
    latest: dict[str, Any] | None


class Worker(BaseModel):
    id: str
    name: str
    trade: str
    tag: str | None
    present: bool
    floor: int | None
    zone: str | None
    last_ts: datetime | None


@router.get("/zones")
def zones(site: str, conn: ConnDep, _key: Viewer) -> list[Zone]:
    site_or_404(conn, site)
    return _models(conn, Zone, _Q["zones"], {"site": site})


@router.get("/cranes")
def cranes(site: str, conn: ConnDep, _key: Viewer) -> list[Crane]:
    site_or_404(conn, site)
    return crane_states(conn, site)


@router.get("/devices")
def devices(
    site: str,
    conn: ConnDep,
    _key: Viewer,
    kind: Literal["crane", "tag", "env", "gateway"] | None = None,
    limit: Page = 500,
    offset: Offset = 0,
) -> list[Device]:
    site_or_404(conn, site)
    params = {"site": site, "kind": kind, "limit": limit, "offset": offset}
    return _models(conn, Device, _Q["devices"], params)


@router.get("/workers")
def workers(
    site: str, conn: ConnDep, _key: Viewer, limit: Page = 500, offset: Offset = 0
) -> list[Worker]:
    site_or_404(conn, site)
    params = {"site": site, "limit": limit, "offset": offset}
    return _models(conn, Worker, _Q["workers"], params)


@router.get("/floors/{level}/readings")
def floor_readings(
    site: str,
    level: int,
    conn: ConnDep,
    _key: Viewer,
    metric: Metric,
    bucket: Literal["1m", "5m", "15m", "1h", "1d"] = "5m",
    from_: Annotated[Moment | None, Query(alias="from")] = None,
    to: Moment | None = None,
) -> list[Bucket]:
    site_or_404(conn, site)
    from_, to = time_range(from_, to, timedelta(hours=24))
    if (to - from_).total_seconds() / BUCKETS[bucket] > MAX_POINTS:
        raise Problem(
            422,
            "Invalid request",
            f"invalid query.bucket: {bucket} buckets over this range exceed {MAX_POINTS} points",
        )
    width = timedelta(seconds=BUCKETS[bucket])
    return floor_series(conn, site, level, metric, width, from_, to)


def _models(conn: Connection, model: type[M], query: str, params: dict[str, Any]) -> list[M]:
    with conn.cursor(row_factory=class_row(model)) as cur:
        return cur.execute(query, params).fetchall()
