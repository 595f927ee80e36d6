"""Dead letters over HTTP: list them; replay those that now pass (managers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ConnDep, Manager, Viewer
from ingest.dead_letters import list_dead_letters, replay_dead_letters

router = APIRouter(prefix="/api/v1/deadletters", tags=["dead letters"])


class DeadLetter(BaseModel):
    id: int
    received_at: datetime
    last_received_at: datetime
    repeats: int
    topic: str
    site: str | None
    item: str
    reason: str
    replayed_at: datetime | None
    payload: str  # UTF-8 where it is, else with replacement characters


class Replay(BaseModel):
    replayed: int
    still_failing: int
    readings_stored: int


@router.get("")
def list_letters(
    conn: ConnDep,
    _key: Viewer,
    site: str | None = None,
    include_replayed: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetter]:
    letters = list_dead_letters(conn, site=site, include_replayed=include_replayed, limit=limit)
    return [
        DeadLetter(
            id=d.id,
            received_at=d.received_at,
            last_received_at=d.last_received_at,
            repeats=d.repeats,
            topic=d.topic,
            site=d.site_id,
            item=d.item,
            reason=d.reason,
            replayed_at=d.replayed_at,
            payload=d.payload.decode("utf-8", errors="replace"),
        )
        for d in letters
    ]


@router.post("/replay")
def replay(
    conn: ConnDep,
    _key: Manager,
    site: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Replay:
    """Replay up to `limit` pending dead letters; call again for more."""
    result = replay_dead_letters(conn, site=site, limit=limit)
    return Replay(
        replayed=result.replayed,
        still_failing=result.still_failing,
        readings_stored=result.readings,
    )
