"""Dead letters after the fact: list them (without payloads), read one with its payload,
replay those that now pass (after the device was registered, say). Replay goes message by
message, each in a savepoint: a message the database refuses again is reported with the
reason and the others are replayed. A replayed letter is marked; its readings are stored
once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from psycopg.rows import class_row

from core.db import Connection, refusal_of
from core.sql import load_queries
from ingest.decode import DEFAULT_LIMITS, DecodeLimits, decode_message
from ingest.registry import Registry, load_registry
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
    payload_sha256: bytes
    size_bytes: int
    truncated: bool


@dataclass(frozen=True)
class DeadLetterWithPayload(DeadLetterView):
    payload: bytes  # the payload, or its first bytes where `truncated`


@dataclass(frozen=True)
class _Pending:
    id: int
    received_at: datetime
    topic: str
    payload_sha256: bytes
    item: str


@dataclass(frozen=True)
class ReplayFailure:
    ids: list[int]
    reason: str


@dataclass(frozen=True)
class ReplayResult:
    replayed: int
    still_failing: int
    readings: int
    # messages that could not be replayed for a reason other than their content
    failures: list[ReplayFailure] = field(default_factory=list)


def list_dead_letters(
    conn: Connection, *, site: str | None = None, include_replayed: bool = False, limit: int = 50
) -> list[DeadLetterView]:
    with conn.cursor(row_factory=class_row(DeadLetterView)) as cur:
        params = {"site": site, "include_replayed": include_replayed, "limit": limit}
        return cur.execute(_Q["list"], params).fetchall()


def get_dead_letter(conn: Connection, letter_id: int) -> DeadLetterWithPayload | None:
    with conn.cursor(row_factory=class_row(DeadLetterWithPayload)) as cur:
        return cur.execute(_Q["get"], {"id": letter_id}).fetchone()


def replay_dead_letters(
    conn: Connection,
    *,
    site: str | None = None,
    limit: int = 1000,
    limits: DecodeLimits = DEFAULT_LIMITS,
) -> ReplayResult:
    """Replay up to `limit` pending letters (the rest wait for the next call)."""
    registry = load_registry(conn)
    prepare(conn)
    replayed = failing = readings = 0
    failures: list[ReplayFailure] = []
    with conn.transaction():
        letters = _pending_for_replay(conn, site, limit)
        for (topic, digest), group in groupby(letters, key=lambda p: (p.topic, p.payload_sha256)):
            pending = list(group)
            try:
                with conn.transaction():  # a savepoint: this message only
                    outcome = _replay_message(conn, registry, topic, digest, pending, limits)
            except Exception as exc:
                refusal = refusal_of(exc)
                failures.append(ReplayFailure([p.id for p in pending], str(refusal)))
                failing += len(pending)
                continue
            replayed += outcome[0]
            failing += outcome[1]
            readings += outcome[2]
    return ReplayResult(replayed, failing, readings, failures)


def _pending_for_replay(conn: Connection, site: str | None, limit: int) -> list[_Pending]:
    with conn.cursor(row_factory=class_row(_Pending)) as cur:
        return cur.execute(_Q["pending_for_replay"], {"site": site, "limit": limit}).fetchall()


def _replay_message(
    conn: Connection,
    registry: Registry,
    topic: str,
    digest: bytes,
    pending: list[_Pending],
    limits: DecodeLimits,
) -> tuple[int, int, int]:
    """(letters replayed, letters still failing, readings stored) for one message."""
    found = conn.execute(_Q["replay_payload"], {"sha256": digest}).fetchone()
    if found is None or found[1]:
        return 0, len(pending), 0  # kept truncated: what it held cannot be read again
    payload = bytes(found[0])
    # The original receive time, so that readings without ts get the same ts again.
    first_received = min(p.received_at for p in pending)
    decoded = decode_message(topic, payload, first_received, registry, limits=limits)
    failing_now = {letter.item: letter.reason for letter in decoded.dead}
    passed = []
    failing = 0
    for p in pending:
        if p.item in failing_now:
            conn.execute(_Q["update_reason"], {"id": p.id, "reason": failing_now[p.item]})
            failing += 1
        else:
            passed.append(p.id)
    if not passed:
        return 0, failing, 0
    lettered = {
        str(r[0]) for r in conn.execute(_Q["lettered_items"], {"topic": topic, "sha256": digest})
    }
    decoded.dead = [d for d in decoded.dead if d.item not in lettered]
    stored = write_batch(conn, [decoded]).stored
    conn.execute(_Q["mark_replayed"], {"ids": passed})
    return len(passed), failing, stored
