"""A device's readings in a time range, oldest first, a page at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from api.deps import ConnDep, Viewer
from api.params import Moment, time_range
from api.problems import Problem
from core.kinds import READING_KINDS
from core.measurements import BY_KIND, table_of
from core.sql import load_queries

router = APIRouter(prefix="/api/v1/devices", tags=["readings"])
_Q = load_queries("api", "readings.sql")
MAX_RANGE = timedelta(days=31)
DEFAULT_RANGE = timedelta(hours=24)
_READINGS: dict[str, str] = {
    kind: sql.SQL(_Q["readings"])
    .format(
        columns=sql.SQL(", ").join(
            sql.Identifier(column)
            for column in ("ts", *(c for m in BY_KIND[kind] for c in m.stored))
        ),
        source=sql.Identifier(table_of(kind)),
    )
    .as_string()
    for kind in READING_KINDS
}


class Readings(BaseModel):
    device: str
    kind: str
    readings: list[dict[str, Any]]
    # The next page's URL when `limit` cut this one short.
    next: str | None


@router.get("/{device}/readings")
def readings(
    device: str,
    request: Request,
    conn: ConnDep,
    _key: Viewer,
    from_: Annotated[Moment | None, Query(alias="from")] = None,
    to: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Readings:
    from_, to = time_range(from_, to, DEFAULT_RANGE)
    if to - from_ > MAX_RANGE:
        raise Problem(422, "Invalid request", "invalid query.from: the range is 31 days at most")
    row = conn.execute(_Q["device"], {"device": device}).fetchone()
    if row is None:
        raise Problem(404, "Not found", f"no device {device!r}")
    kind = str(row[0])
    if kind == "gateway":
        raise Problem(404, "Not found", f"{device} is a gateway: its readings are its children's")
    params = {"device": device, "from": from_, "to": to, "limit": limit}
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_READINGS[kind], params).fetchall()
    items = [
        {k: (v.isoformat() if k == "ts" else v) for k, v in r.items() if v is not None}
        for r in rows
    ]
    next_url = None
    if len(items) == limit:
        after = datetime.fromisoformat(items[-1]["ts"]) + timedelta(microseconds=1)
        next_url = str(
            request.url.include_query_params(**{"from": after.isoformat(), "to": to.isoformat()})
        )
    return Readings(device=device, kind=kind, readings=items, next=next_url)
