"""Sessions on a phone: an API key exchanged once for a session token kept in an HttpOnly,
SameSite=Strict cookie. The session acts with its key's role, expires after SESSION_TTL,
and ends with its key (revoked or deleted) or when signed out."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import Response
from psycopg.rows import class_row

from api.keys import ApiKey, digest
from core.db import Connection
from core.sql import load_queries

COOKIE = "sitepulse_session"
# A working day on site, with its breaks: then the key is asked for again.
SESSION_TTL = timedelta(hours=12)
_Q = load_queries("api", "sessions.sql")


def start_session(conn: Connection, key: ApiKey) -> str:
    """A new session of the key; the token is for the cookie only, never stored."""
    conn.execute(_Q["purge"])
    token = secrets.token_urlsafe(32)
    conn.execute(_Q["create"], {"sha": digest(token), "key_id": key.id, "ttl": SESSION_TTL})
    return token


def find_session(conn: Connection, token: str) -> ApiKey | None:
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        return cur.execute(_Q["find"], {"sha": digest(token)}).fetchone()


def end_session(conn: Connection, token: str) -> None:
    conn.execute(_Q["end"], {"sha": digest(token)})


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    """`secure` when served over HTTPS (a site's LAN over plain HTTP would drop it)."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
