"""Write one batch of decoded messages in one transaction: COPY into the hypertables (into
staging and across skipping duplicates when the batch holds a redelivery), device state,
dead letters, NOTIFY, commit."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from core.db import Connection, unless_duplicate
from core.kinds import READING_KINDS, DeviceKind, ReadingKind
from core.measurements import COLUMNS, COMMON_COLUMN_TYPES, Measurement, table_of
from core.sql import load_queries
from ingest.decode import DeadLetter, Decoded
from ingest.rows import COMMON_COLUMNS, MEASUREMENT_COLUMNS, Row

Cursor = psycopg.Cursor[TupleRow]
_Q = load_queries("ingest", "writer.sql")
# A message over the size limit is not kept whole: its first bytes, size and hash are.
OVERSIZE_KEPT_BYTES = 64 * 1024
# Binary COPY: five times cheaper per row than text on the client (timestamps above all).
# Straight into the readings table; into the session's staging table when the batch holds
# a reading already stored (a redelivery) and for the newest row of each device.
_COPY = {
    (kind, table): f"COPY {table} ({', '.join(COMMON_COLUMNS + MEASUREMENT_COLUMNS[kind])})"
    " FROM STDIN (FORMAT BINARY)"
    for kind in READING_KINDS
    for table in (table_of(kind), f"{kind}_stage")
}
_TYPES = {
    kind: [*COMMON_COLUMN_TYPES.values(), *(m.pg_type for m in COLUMNS[kind])]
    for kind in READING_KINDS
}


def _latest_value(m: Measurement) -> sql.Composable:
    column = sql.Identifier(m.key)
    if m.latest_default is None:
        return column
    return sql.SQL("coalesce({}, {})").format(column, sql.Literal(m.latest_default))


def _newest_staged(kind: ReadingKind) -> sql.Composable:
    latest = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(m.key), _latest_value(m)) for m in COLUMNS[kind]
    )
    return sql.SQL(_Q["newest_staged"]).format(
        kind=sql.Literal(kind), stage=sql.Identifier(f"{kind}_stage"), latest=latest
    )


_UPSERT_DEVICE_STATE = (
    sql.SQL(_Q["upsert_device_state"])
    .format(newest=sql.SQL("\nUNION ALL\n").join(_newest_staged(k) for k in READING_KINDS))
    .as_string()
)


@dataclass(frozen=True)
class WriteResult:
    readings: int
    stored: int
    dead_letters: int

    @property
    def duplicates(self) -> int:
        return self.readings - self.stored

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.readings + other.readings,
            self.stored + other.stored,
            self.dead_letters + other.dead_letters,
        )


def prepare(conn: Connection) -> None:
    """Once per connection: the session's staging tables."""
    conn.execute(_Q["create_staging"])


def write_batch(conn: Connection, messages: Sequence[Decoded]) -> WriteResult:
    readings = stored = 0
    sites: dict[str, list[datetime]] = {}
    with conn.transaction(), conn.cursor() as cur:
        for kind in READING_KINDS:
            rows = [row for message in messages for row in message.rows[kind]]
            if rows:
                readings += len(rows)
                _widen_spans(sites, rows)
                stored += _store(cur, kind, rows)
        if readings:
            cur.execute(_UPSERT_DEVICE_STATE)
        statuses = _status_rows(messages)
        _record_presence(cur, messages, statuses)
        _record_dead_letters(cur, [m for m in messages if m.dead])
        if stored or statuses:
            cur.execute(_Q["notify_committed"], {"payload": committed_payload(sites)})
    return WriteResult(readings, stored, sum(m.refused_items for m in messages))


def _widen_spans(sites: dict[str, list[datetime]], rows: list[Row]) -> None:
    """Each site's [earliest, latest] ts among `rows` (ts is a row's first column, the
    site its third)."""
    for row in rows:
        span = sites.get(row[2])
        if span is None:
            sites[row[2]] = [row[0], row[0]]
        elif row[0] < span[0]:
            span[0] = row[0]
        elif row[0] > span[1]:
            span[1] = row[0]


def _store(cur: Cursor, kind: ReadingKind, rows: list[Row]) -> int:
    """COPY the rows into their table; when one of them is stored already, COPY them into
    the session's staging table instead and move them across skipping those. Either way
    the staging table ends up holding each device's newest row, for its device state.
    The number stored."""
    stage = f"{kind}_stage"
    if unless_duplicate(cur.connection, lambda: _copy(cur, kind, table_of(kind), rows)):
        _copy(cur, kind, stage, _newest_of_each_device(rows))
        return len(rows)
    _copy(cur, kind, stage, rows)
    cur.execute(_Q[f"move_{kind}"])
    return max(cur.rowcount, 0)


def _copy(cur: Cursor, kind: ReadingKind, table: str, rows: list[Row]) -> None:
    with cur.copy(_COPY[kind, table]) as copy:
        copy.set_types(_TYPES[kind])
        write_row = copy.write_row
        for row in rows:
            write_row(row)


def _newest_of_each_device(rows: list[Row]) -> list[Row]:
    """Each device's newest row as device state reckons it (upsert_device_state): the
    greatest min(ts, received_at), then ts. A row is (ts, device_id, site_id, received_at,
    ...)."""
    newest: dict[str, Row] = {}
    for row in rows:
        best = newest.get(row[1])
        if best is None or (min(row[0], row[3]), row[0]) > (min(best[0], best[3]), best[0]):
            newest[row[1]] = row
    return list(newest.values())


def _status_rows(messages: Sequence[Decoded]) -> list[dict[str, object]]:
    return [
        {
            "device_id": s.device_id,
            "site_id": s.site_id,
            "kind": s.kind,
            "online": s.online,
            "received_at": s.received_at,
            "reason": "status " + ("online" if s.online else "offline"),
            "retained": s.retained,
        }
        for m in messages
        for s in m.statuses
    ]


def _record_presence(
    cur: Cursor, messages: Sequence[Decoded], statuses: list[dict[str, object]]
) -> None:
    gateways = {
        m.gateway.id: {
            "device_id": m.gateway.id,
            "site_id": m.gateway.site_id,
            "seen_at": m.received_at,
        }
        for m in messages
        if m.gateway is not None
    }
    if gateways:
        cur.executemany(_Q["gateway_seen"], list(gateways.values()))
    if statuses:
        cur.executemany(_Q["apply_status"], statuses)


def _record_dead_letters(cur: Cursor, refused: Sequence[Decoded]) -> None:
    """Each refused message's payload once, and its letters."""
    if not refused:
        return
    payloads: dict[bytes, dict[str, object]] = {}
    letters: list[tuple[DeadLetter, bytes]] = []
    for message in refused:
        digest = hashlib.sha256(message.payload).digest()
        payloads[digest] = _payload_row(digest, message)
        letters.extend((letter, digest) for letter in message.dead)
    cur.executemany(_Q["insert_dead_letter_payload"], list(payloads.values()))
    cur.executemany(_Q["upsert_dead_letter"], _merge_repeats(letters))


def committed_payload(sites: Mapping[str, Sequence[datetime]]) -> str:
    """The NOTIFY payload: each site with the ts range (epoch ms) of what was committed,
    so a listener reads just that range. Past NOTIFY's 8000-byte limit, the sites without
    ranges; past it still, `{}`: read everything recent."""
    spans = {
        site: [int(lo.timestamp() * 1000), int(hi.timestamp() * 1000)]
        for site, (lo, hi) in sorted(sites.items())
    }
    payload = json.dumps(spans, separators=(",", ":"))
    if len(payload) < 7900:
        return payload
    payload = json.dumps(dict.fromkeys(sorted(sites)), separators=(",", ":"))
    return payload if len(payload) < 7900 else "{}"


def _payload_row(digest: bytes, message: Decoded) -> dict[str, object]:
    payload = message.payload
    kept = payload[:OVERSIZE_KEPT_BYTES] if message.oversize else payload
    return {
        "sha256": digest,
        "payload": kept,
        "size_bytes": len(payload),
        "truncated": len(kept) < len(payload),
    }


def _merge_repeats(letters: list[tuple[DeadLetter, bytes]]) -> list[dict[str, object]]:
    """One row per (topic, payload, item): a conflict target may be hit once per statement."""
    counts: Counter[tuple[str, bytes, str]] = Counter()
    first: dict[tuple[str, bytes, str], DeadLetter] = {}
    for letter, digest in letters:
        key = (letter.topic, digest, letter.item)
        counts[key] += 1
        first.setdefault(key, letter)
    return [
        {
            "received_at": letter.received_at,
            "repeats": counts[key],
            "topic": letter.topic,
            "site_id": letter.site_id,
            "payload_sha256": key[1],
            "item": letter.item,
            "reason": letter.reason,
        }
        for key, letter in first.items()
    ]


def mark_offline(conn: Connection, timeouts: Mapping[DeviceKind, int]) -> list[str]:
    kinds = list(timeouts)
    rows = conn.execute(
        _Q["mark_offline"], {"kinds": kinds, "timeouts": [timeouts[k] for k in kinds]}
    ).fetchall()
    return [str(row[0]) for row in rows]
