"""API keys: created with a role, shown once, stored as a SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from psycopg.rows import class_row

from core.db import Connection
from core.sql import load_queries

Role = Literal["viewer", "manager", "admin"]
ROLE_RANK: dict[Role, int] = {"viewer": 0, "manager": 1, "admin": 2}
_PREFIX = "sp_"
_Q = load_queries("api", "keys.sql")


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    role: Role


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def create_key(conn: Connection, name: str, role: Role) -> tuple[ApiKey, str]:
    key = _PREFIX + secrets.token_urlsafe(32)
    params = {"name": name, "role": role, "sha": digest(key), "prefix": key[:8]}
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        created = cur.execute(_Q["create"], params).fetchone()
    assert created is not None
    return created, key


def revoke_key(conn: Connection, key_id: int) -> bool:
    return conn.execute(_Q["revoke"], {"id": key_id}).rowcount == 1


def find_key(conn: Connection, key: str) -> ApiKey | None:
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        return cur.execute(_Q["find"], {"sha": digest(key)}).fetchone()


def list_keys(conn: Connection) -> list[str]:
    """One line per key: id, role, name, prefix, created, revoked."""
    return [
        f"#{key_id} {role:<7} {name}  {prefix}...  created {created:%Y-%m-%d}"
        + (f"  revoked {revoked:%Y-%m-%d}" if revoked else "")
        for key_id, name, role, prefix, created, revoked in conn.execute(_Q["list"])
    ]


def may(role: Role, needed: Role) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[needed]
