"""Sites and their floors' status at a glance."""

from __future__ import annotations

from fastapi import APIRouter
from psycopg.rows import class_row
from pydantic import BaseModel

from api.deps import ConnDep, Viewer
from api.problems import Problem
from api.site_status import Floor, floor_statuses
from core.db import Connection
from core.sql import load_queries

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
_Q = load_queries("api", "floors.sql")


class Site(BaseModel):
    id: str
    name: str
    timezone: str


@router.get("")
def list_sites(conn: ConnDep, _key: Viewer) -> list[Site]:
    with conn.cursor(row_factory=class_row(Site)) as cur:
        return cur.execute(_Q["sites"]).fetchall()


@router.get("/{site}/floors")
def floors(site: str, conn: ConnDep, _key: Viewer) -> list[Floor]:
    found = floor_statuses(conn, site)
    if not found:  # no floors: is there such a site? (one query less for the usual case)
        site_or_404(conn, site)
    return found


def site_or_404(conn: Connection, site: str) -> Site:
    with conn.cursor(row_factory=class_row(Site)) as cur:
        found = cur.execute(_Q["site"], {"site": site}).fetchone()
    if found is None:
        raise Problem(404, "Not found", f"no site {site!r}")
    return found
