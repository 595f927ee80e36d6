"""Live updates as server-sent events: each site's floors (and cranes) whenever they
change, checked every two seconds. EventSource cannot send headers, so the key may come
as `?key=` here (use a viewer key)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import bearer, require
from api.floors import floor_statuses, site_or_404
from api.keys import ApiKey
from api.registry import cranes

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["live"])
PERIOD_S = 2.0


def stream_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Query(description="a viewer key, for EventSource")] = None,
) -> ApiKey:
    if credentials is None and key is not None:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=key)
    with request.app.state.pool.connection() as conn:
        return require("viewer")(conn, credentials)


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    site: str, request: Request, _key: Annotated[ApiKey, Depends(stream_key)]
) -> StreamingResponse:
    pool = request.app.state.pool

    def snapshot() -> dict[str, Any]:
        with pool.connection() as conn:
            site_or_404(conn, site)
            return {
                "floors": [f.model_dump() for f in floor_statuses(conn, site)],
                "cranes": [c.model_dump(mode="json") for c in cranes(site, conn, _key)],
            }

    first = await run_in_threadpool(snapshot)  # a 404 here is a 404, not a broken stream

    async def events() -> AsyncIterator[str]:
        last = ""
        state = first
        while not await request.is_disconnected():
            text = json.dumps(state, separators=(",", ":"))
            if text != last:
                yield f"event: site\ndata: {text}\n\n"
                last = text
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(PERIOD_S)
            state = await run_in_threadpool(snapshot)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})  # fmt: skip
