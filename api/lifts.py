"""A crane's work cycles (records/lifts.py) over a time range, with per-day totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from psycopg.rows import class_row, dict_row
from pydantic import BaseModel, Field

from api.deps import ConnDep, Viewer
from api.floors import site_or_404
from api.params import Moment, time_range
from api.problems import Problem
from core.sql import load_queries

router = APIRouter(prefix="/api/v1/sites", tags=["records"])
_Q = load_queries("api", "lifts.sql")
DEFAULT_RANGE = timedelta(days=1)
LONGEST_RANGE = timedelta(days=31)


@dataclass(frozen=True)
class _LiftRow:
    started_at: datetime
    ended_at: datetime
    duration_s: float
    max_load_t: float
    max_moment_pct: float | None
    max_wind_mps: float | None
    pick_radius_m: float | None
    pick_slew_deg: float | None
    pick_height_m: float | None
    pick_floor: int | None
    set_radius_m: float | None
    set_slew_deg: float | None
    set_height_m: float | None
    set_floor: int | None


class LiftAlert(BaseModel):
    id: int
    rule_id: str
    severity: str
    title: str
    opened_at: datetime
    raised_at: datetime


class HookPosition(BaseModel):
    radius_m: float | None
    slew_deg: float | None
    height_m: float | None
    # the highest floor whose slab is at or below the hook
    floor: int | None


class Lift(BaseModel):
    started_at: datetime
    ended_at: datetime
    duration_s: float
    max_load_t: float
    max_moment_pct: float | None
    max_wind_mps: float | None
    pick: HookPosition
    set_down: HookPosition
    alerts: list[LiftAlert]


class LiftDay(BaseModel):
    day: date  # the site's own calendar day
    lifts: int
    tonnes: float
    hours_loaded: float
    max_moment_pct: float | None
    lifts_over_90_pct: int


class CraneLifts(BaseModel):
    site: str
    crane: str
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    days: list[LiftDay]
    lifts: list[Lift]


@router.get("/{site}/cranes/{crane}/lifts")
def crane_lifts(
    site: str,
    crane: str,
    conn: ConnDep,
    _key: Viewer,
    from_: Annotated[Moment | None, Query(alias="from")] = None,
    to: Moment | None = None,
) -> CraneLifts:
    """Lifts begun in [from, to): `to` defaults to now, `from` to a day before it; at
    most 31 days. Per-day totals by the site's calendar day."""
    site_or_404(conn, site)
    start, end = time_range(from_, to, DEFAULT_RANGE)
    if end - start > LONGEST_RANGE:
        raise Problem(422, "Invalid request", "invalid query.from: at most 31 days before to")
    args = {"site": site, "crane": crane, "from": start, "to": end}
    if conn.execute(_Q["crane"], args).fetchone() is None:
        raise Problem(404, "Not found", f"no crane {crane!r} on site {site!r}")
    with conn.cursor(row_factory=class_row(_LiftRow)) as cur:
        rows = cur.execute(_Q["lifts"], args).fetchall()
    with conn.cursor(row_factory=dict_row) as cur:
        alerts = cur.execute(_Q["lift_alerts"], args).fetchall()
    with conn.cursor(row_factory=class_row(LiftDay)) as cur:
        days = cur.execute(_Q["days"], args).fetchall()
    by_lift: dict[datetime, list[LiftAlert]] = defaultdict(list)
    for alert in alerts:  # a LiftAlert's fields and the lift it belongs to
        by_lift[alert.pop("lift_started_at")].append(LiftAlert.model_validate(alert))
    return CraneLifts(
        site=site,
        crane=crane,
        from_=start,
        to=end,
        days=days,
        lifts=[_lift(row, by_lift[row.started_at]) for row in rows],
    )


def _lift(row: _LiftRow, alerts: list[LiftAlert]) -> Lift:
    return Lift(
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_s=row.duration_s,
        max_load_t=row.max_load_t,
        max_moment_pct=row.max_moment_pct,
        max_wind_mps=row.max_wind_mps,
        pick=HookPosition(
            radius_m=row.pick_radius_m,
            slew_deg=row.pick_slew_deg,
            height_m=row.pick_height_m,
            floor=row.pick_floor,
        ),
        set_down=HookPosition(
            radius_m=row.set_radius_m,
            slew_deg=row.set_slew_deg,
            height_m=row.set_height_m,
            floor=row.set_floor,
        ),
        alerts=alerts,
    )
