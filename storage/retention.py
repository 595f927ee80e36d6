"""Raw-data retention by dropping whole chunks (the Apache edition's drop_chunks), per
kind; the 1-minute rollups too. Compression is switched on only where the server's
`timescaledb.license` is `timescale` (Debian's Apache build has no compression)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from psycopg import sql

from core.db import Connection
from core.settings import Settings
from core.sql import load_queries
from storage.rollups import SOURCES

log = logging.getLogger(__name__)
_Q = load_queries("storage", "retention.sql")


@dataclass(frozen=True)
class RetentionReport:
    dropped: dict[str, int]  # table -> chunks dropped
    compression: str  # what was done about compression, for a person


def apply_retention(conn: Connection, settings: Settings) -> RetentionReport:
    horizons = {SOURCES[kind]: days for kind, days in settings.retention_days.items()}
    horizons["device_rollup_1m"] = settings.retention_rollup_1m_days
    horizons["floor_rollup_1m"] = settings.retention_rollup_1m_days
    dropped: dict[str, int] = {}
    for table, days in horizons.items():
        if days <= 0:
            continue
        chunks = conn.execute(
            _Q["drop_chunks"], {"table": table, "older_than": timedelta(days=days)}
        ).fetchall()
        dropped[table] = len(chunks)
        if chunks:
            log.info(
                "retention: dropped %d chunk(s) of %s older than %d days", len(chunks), table, days
            )
    return RetentionReport(dropped, enable_compression(conn, settings))


def enable_compression(conn: Connection, settings: Settings) -> str:
    license_row = conn.execute(_Q["license"]).fetchone()
    edition = license_row[0] if license_row else "unknown"
    if edition != "timescale":
        return f"compression not available under the {edition!r} license; skipped"
    after = timedelta(days=settings.compress_after_days)
    for table in SOURCES.values():
        enabled = conn.execute(_Q["compression_enabled"], {"table": table}).fetchone()
        if not (enabled and enabled[0]):
            conn.execute(
                sql.SQL(
                    "ALTER TABLE {} SET (timescaledb.compress,"
                    " timescaledb.compress_segmentby = 'device_id',"
                    " timescaledb.compress_orderby = 'ts DESC')"
                ).format(sql.Identifier(table))
            )
        conn.execute(_Q["compression_policy"], {"table": table, "after": after})
    return f"compression on for chunks older than {settings.compress_after_days} days"
