"""Dead letters after the fact: list them; replay those that now pass (after the device
was registered, say). A replayed letter is marked, and its readings are stored once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from core.db import Connection
from core.sql import load_queries
from ingest.decode import decode_message
from ingest.registry import load_registry
from ingest.writer import prepare, write_batch

_Q = load_queries("ingest", "dead_letters.sql")


@dataclass(frozen=True)
class DeadLetterView:
    id: int
    received_at: datetime
    last_received_at: datetime
    repeats: int
    topic: str
    site_id: str | None
    item: str
    reason: str
    replayed_at: datetime | None
    payload: bytes


@dataclass(frozen=True)
class ReplayResult:
    replayed: int
    still_failing: int
    readings: int


def list_dead_letters(
    conn: Connection, *, site: str | None = None, include_replayed: bool = False, limit: int = 50
) -> list[DeadLetterView]:
    rows = conn.execute(
        _Q["list"], {"site": site, "include_replayed": include_replayed, "limit": limit}
    ).fetchall()
    return [
        DeadLetterView(
            id=row[0],
            received_at=row[1],
            last_received_at=row[2],
            repeats=row[3],
            topic=row[4],
            site_id=row[5],
            item=row[6],
            reason=row[7],
            replayed_at=row[8],
            payload=bytes(row[9]),
        )
        for row in rows
    ]


def replay_dead_letters(
    conn: Connection, *, site: str | None = None, limit: int = 10_000
) -> ReplayResult:
    """Replay up to `limit` pending letters (the rest wait for the next call)."""
    registry = load_registry(conn)
    prepare(conn)
    replayed = failing = readings = 0
    with conn.transaction():
        letters = conn.execute(_Q["pending_for_replay"], {"site": site, "limit": limit}).fetchall()
        for (topic, payload), group in groupby(letters, key=lambda row: (row[2], bytes(row[3]))):
            group_rows = list(group)
            # The original receive time, so that readings without ts get the same ts again.
            first_received = min(row[1] for row in group_rows)
            decoded = decode_message(topic, payload, first_received, registry)
            failing_now = {letter.item: letter.reason for letter in decoded.dead}
            known_items = {row[4] for row in group_rows}
            passed = []
            for letter_id, _, _, _, item in group_rows:
                if item in failing_now:
                    conn.execute(
                        _Q["update_reason"], {"id": letter_id, "reason": failing_now[item]}
                    )
                    failing += 1
                else:
                    passed.append(letter_id)
            if not passed:
                continue
            decoded.dead = [d for d in decoded.dead if d.item not in known_items]
            readings += write_batch(conn, [decoded]).stored
            conn.execute(_Q["mark_replayed"], {"ids": passed})
            replayed += len(passed)
    return ReplayResult(replayed, failing, readings)
