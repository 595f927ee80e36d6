"""`GET /api/v1/sites/{site}/floors/{level}/plan.svg`: a floor's plan, live (see
api/plan_svg.py). For an <img>, which cannot send headers, the key may come as `?key=`
(a viewer key), as for the live stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from psycopg.rows import class_row

from api.deps import ConnDep
from api.floors import site_or_404
from api.keys import ApiKey
from api.plan_svg import PlanCrane, PlanWorker, PlanZone, Theme, plan_svg
from api.problems import Problem
from api.stream import stream_key
from core.db import Connection
from core.sql import load_queries

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
_Q = load_queries("api", "floor_plan.sql")
SVG = "image/svg+xml"


@dataclass(frozen=True)
class _Floor:
    level: int
    name: str


@router.get(
    "/{site}/floors/{level}/plan.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "the floor's plan (SVG)"}},
)
def floor_plan(
    site: str,
    level: int,
    conn: ConnDep,
    _key: Annotated[ApiKey, Depends(stream_key)],
    labels: Annotated[bool, Query(description="zone names and crane ids")] = True,
    theme: Annotated[Theme, Query(description="light, or dark for a wall display")] = "light",
) -> Response:
    name = _floor_name(conn, site, level)
    params = {"site": site, "level": level}
    with conn.cursor(row_factory=class_row(PlanZone)) as cur:
        zones = cur.execute(_Q["zones"], params).fetchall()
    with conn.cursor(row_factory=class_row(PlanWorker)) as cur:
        workers = cur.execute(_Q["workers"], params).fetchall()
    with conn.cursor(row_factory=class_row(PlanCrane)) as cur:
        cranes = cur.execute(_Q["cranes"], params).fetchall()
    title = f"{site}, floor {name} (level {level}): {len(workers)} workers heard"
    svg = plan_svg(title, zones, workers, cranes, labels=labels, theme=theme)
    return Response(svg, media_type=SVG, headers={"Cache-Control": "no-store"})


def _floor_name(conn: Connection, site: str, level: int) -> str:
    with conn.cursor(row_factory=class_row(_Floor)) as cur:
        floor = cur.execute(_Q["floor"], {"site": site, "level": level}).fetchone()
    if floor is not None:
        return floor.name
    site_or_404(conn, site)
    levels = [str(r[0]) for r in conn.execute(_Q["levels"], {"site": site}).fetchall()]
    known = ", ".join(levels) if levels else "none"
    raise Problem(404, "Not found", f"site {site!r} has no floor {level} (its levels: {known})")
