"""Live updates as server-sent events, checked every two seconds: `site` (floors, cranes,
open alerts, and construction against plan: the site's line and each floor's task types
under way and lateness, re-read every PROGRESS_PERIOD_S) whenever it changes, and `alert`
for each alert transition (opened, acknowledged, resolved, escalated...). EventSource
cannot send headers, so the key may come as `?key=` here (use a viewer key), or a phone's
session cookie."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import Session, bearer, require
from api.floors import site_or_404
from api.keys import ApiKey
from api.progress import read_progress
from api.site_status import crane_states, floor_statuses, open_alerts
from core.db import Connection
from rules.alerts import events_since, last_event_id

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["live"])
PERIOD_S = 2.0
# Construction moves in hours; its reads (the schedule, the crews' presence) need not run
# every two seconds.
PROGRESS_PERIOD_S = 30.0


def stream_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Query(description="a viewer key, for EventSource")] = None,
    session: Session = None,
) -> ApiKey:
    if credentials is None and key is not None:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=key)
    with request.app.state.pool.connection() as conn:
        return require("viewer")(conn, credentials, session)


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    site: str, request: Request, _key: Annotated[ApiKey, Depends(stream_key)]
) -> StreamingResponse:
    pool = request.app.state.pool
    seen = [0]  # the newest alert event sent
    progress: dict[str, Any] = {}
    progress_read = [-PROGRESS_PERIOD_S]  # when (time.monotonic())

    def snapshot() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        with pool.connection() as conn:
            found = site_or_404(conn, site)
            if not seen[0]:
                seen[0] = last_event_id(conn, site)
            transitions = events_since(conn, site, seen[0])
            if transitions:
                seen[0] = transitions[-1]["event_id"]
            if time.monotonic() - progress_read[0] >= PROGRESS_PERIOD_S:
                progress.update(construction(conn, site))
                progress_read[0] = time.monotonic()
            return {
                "timezone": found.timezone,
                "floors": [f.model_dump() for f in floor_statuses(conn, site)],
                "cranes": [c.model_dump(mode="json") for c in crane_states(conn, site)],
                "alerts": [a.model_dump() for a in open_alerts(conn, site, limit=10)],
                "progress": progress,
            }, transitions

    first = await run_in_threadpool(snapshot)  # a 404 here is a 404, not a broken stream

    async def events() -> AsyncIterator[str]:
        last = ""
        state, transitions = first
        while not await request.is_disconnected():
            for transition in transitions:
                yield f"event: alert\ndata: {json.dumps(transition, default=str)}\n\n"
            text = json.dumps(state, separators=(",", ":"), default=str)
            if text != last:
                yield f"event: site\ndata: {text}\n\n"
                last = text
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(PERIOD_S)
            state, transitions = await run_in_threadpool(snapshot)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def construction(conn: Connection, site: str) -> dict[str, Any]:
    """The site against plan in one line, and each floor's task types under way and how
    late it is (days, null when on plan), by level."""
    found = read_progress(conn, site, datetime.now(UTC))
    return {
        "summary": found.summary,
        "floors_late": found.floors_late,
        "floors": {
            str(f.level): {"under_way_types": f.under_way_types, "late_days": f.late_days}
            for f in found.floors
        },
    }
