"""What ingest made of the messages a test sent: the readings stored and the dead letters
written, counted per message. The dead-letter schema is read here and nowhere else, so
that a change to it is adapted in this one module."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.db import Connection
from core.kinds import READING_KINDS

# (device, ts in epoch ms); ts None for a reading stored with the receive time for its ts
ReadingKey = tuple[str, int | None]


def sha256(payload: bytes) -> bytes:
    return hashlib.sha256(payload).digest()


def stored_since(conn: Connection, received_from: datetime) -> Counter[ReadingKey]:
    """Every reading ingest received from `received_from` on, counted by (device, ts)."""
    found: Counter[ReadingKey] = Counter()
    for kind in READING_KINDS:
        rows = conn.execute(
            f"SELECT device_id, (extract(epoch FROM ts) * 1000)::bigint, ts_from_receive"
            f" FROM {kind}_readings WHERE received_at >= %s",
            (received_from,),
        ).fetchall()
        for device, ts_ms, from_receive in rows:
            found[(device, None if from_receive else int(ts_ms))] += 1
    return found


def stored_values(conn: Connection, kind: str, device: str, ts_ms: int) -> dict[str, Any]:
    """One stored reading's columns by name (None if it is not stored)."""
    cursor = conn.execute(
        f"SELECT * FROM {kind}_readings WHERE device_id = %s"
        " AND ts = to_timestamp(%s::numeric / 1000)",
        (device, ts_ms),
    )
    row = cursor.fetchone()
    if row is None:
        return {}
    assert cursor.description is not None
    return {column.name: value for column, value in zip(cursor.description, row, strict=True)}


def readings_count(conn: Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def letters_per_message(conn: Connection, payloads: Iterable[bytes]) -> Counter[bytes]:
    """Dead letters (rows) per refused message, by the sha256 of its payload. A message is
    named by its payload alone: the tests make every payload unique, and a topic may be
    stored escaped or cut."""
    hashes = list({sha256(payload) for payload in payloads})
    rows = conn.execute(
        "SELECT payload_sha256, count(*) FROM dead_letters WHERE payload_sha256 = ANY(%s)"
        " GROUP BY payload_sha256",
        (hashes,),
    ).fetchall()
    return Counter({bytes(digest): int(n) for digest, n in rows})


def dead_lettered_messages(conn: Connection, site_id: str | None = None) -> set[tuple[str, bytes]]:
    """(topic, sha256 of the payload) of every message with at least one dead letter."""
    rows = conn.execute(
        "SELECT DISTINCT topic, payload_sha256 FROM dead_letters"
        " WHERE %(site)s::text IS NULL OR site_id = %(site)s",
        {"site": site_id},
    ).fetchall()
    return {(topic, bytes(digest)) for topic, digest in rows}


def letter_reasons(conn: Connection, payload: bytes) -> list[tuple[str, str]]:
    """(item, reason) of each dead letter of one message."""
    rows = conn.execute(
        "SELECT item, reason FROM dead_letters WHERE payload_sha256 = %s ORDER BY item",
        (sha256(payload),),
    ).fetchall()
    return [(str(item), str(reason)) for item, reason in rows]


def payload_copies(conn: Connection, payload: bytes) -> int:
    """How many times the dead-letter tables hold this payload: every bytea column named
    like `payload` in a `dead_letter*` table, its rows found by the payload's hash where
    the table keeps one (so a payload kept cut short is still counted)."""
    digest = sha256(payload)
    columns = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name LIKE 'dead_letter%%'"
        " AND data_type = 'bytea' AND column_name LIKE '%%payload%%'"
        " AND column_name NOT LIKE '%%sha%%'"
    ).fetchall()
    copies = 0
    for table, column in columns:
        hashed = {
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = %s"
                " AND column_name IN ('payload_sha256', 'sha256')",
                (table,),
            ).fetchall()
        }
        key, value = (
            (sorted(hashed)[0], digest) if hashed else (column, payload)  # payload_sha256 first
        )
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE {key} = %s", (value,)).fetchone()
        copies += int(row[0]) if row else 0
    return copies
