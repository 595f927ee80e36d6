"""Database connections: one pool for request/response services, plain connections for
the long-lived writers; driver errors become SitePulse errors here, once."""

from __future__ import annotations

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from core.errors import DatabaseUnavailable, first_line
from core.settings import Settings

Connection = psycopg.Connection[TupleRow]


def connect(settings: Settings, *, autocommit: bool = True) -> Connection:
    try:
        return psycopg.connect(
            settings.database_url.get_secret_value(),
            autocommit=autocommit,
            application_name="sitepulse",
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"{DatabaseUnavailable.__doc__} ({first_line(exc)})") from exc


def create_pool(settings: Settings, *, min_size: int = 1, max_size: int = 10) -> ConnectionPool:
    return ConnectionPool(
        settings.database_url.get_secret_value(),
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True, "application_name": "sitepulse"},
        open=True,
    )
