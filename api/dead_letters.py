"""Dead letters over HTTP: list them (without payloads), read one with its payload,
replay those that now pass (managers)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ConnDep, Manager, SettingsDep, Viewer
from api.problems import Problem
from ingest.dead_letters import (
    DeadLetterView,
    get_dead_letter,
    list_dead_letters,
    replay_dead_letters,
)
from ingest.decode import DecodeLimits

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
    payload_sha256: str
    size_bytes: int
    truncated: bool  # the payload was over the size limit: its first bytes are kept


class DeadLetterPayload(DeadLetter):
    payload: str  # UTF-8 where it is, else with replacement characters
    payload_base64: str  # the bytes exactly as kept


class ReplayFailure(BaseModel):
    ids: list[int]
    reason: str


class Replay(BaseModel):
    replayed: int
    still_failing: int
    readings_stored: int
    failures: list[ReplayFailure]


def _letter(d: DeadLetterView) -> dict[str, object]:
    return {
        "id": d.id,
        "received_at": d.received_at,
        "last_received_at": d.last_received_at,
        "repeats": d.repeats,
        "topic": d.topic,
        "site": d.site_id,
        "item": d.item,
        "reason": d.reason,
        "replayed_at": d.replayed_at,
        "payload_sha256": d.payload_sha256.hex(),
        "size_bytes": d.size_bytes,
        "truncated": d.truncated,
    }


@router.get("")
def list_letters(
    conn: ConnDep,
    _key: Viewer,
    site: str | None = None,
    include_replayed: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetter]:
    """Dead letters, newest first, without payloads: read one to see its payload."""
    letters = list_dead_letters(conn, site=site, include_replayed=include_replayed, limit=limit)
    return [DeadLetter.model_validate(_letter(d)) for d in letters]


@router.get("/{letter_id}")
def one_letter(conn: ConnDep, _key: Viewer, letter_id: int) -> DeadLetterPayload:
    letter = get_dead_letter(conn, letter_id)
    if letter is None:
        raise Problem(404, "Not found", f"no dead letter {letter_id}")
    return DeadLetterPayload.model_validate(
        {
            **_letter(letter),
            "payload": letter.payload.decode("utf-8", errors="replace"),
            "payload_base64": base64.b64encode(letter.payload).decode("ascii"),
        }
    )


@router.post("/replay")
def replay(
    conn: ConnDep,
    _key: Manager,
    settings: SettingsDep,
    site: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Replay:
    """Replay up to `limit` pending dead letters; call again for more."""
    result = replay_dead_letters(
        conn, site=site, limit=limit, limits=DecodeLimits.from_settings(settings)
    )
    return Replay(
        replayed=result.replayed,
        still_failing=result.still_failing,
        readings_stored=result.readings,
        failures=[ReplayFailure(ids=f.ids, reason=f.reason) for f in result.failures],
    )
