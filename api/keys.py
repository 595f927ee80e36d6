"""API keys: created with a role, shown once, stored as a SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

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
    row = conn.execute(
        _Q["create"], {"name": name, "role": role, "sha": digest(key), "prefix": key[:8]}
    ).fetchone()
    assert row is not None
    return ApiKey(int(row[0]), name, role), key


def revoke_key(conn: Connection, key_id: int) -> bool:
    return conn.execute(_Q["revoke"], {"id": key_id}).rowcount == 1


def find_key(conn: Connection, key: str) -> ApiKey | None:
    row = conn.execute(_Q["find"], {"sha": digest(key)}).fetchone()
    return ApiKey(int(row[0]), str(row[1]), row[2]) if row else None


def list_keys(conn: Connection) -> list[str]:
    """One line per key: id, role, name, prefix, created, revoked."""
    return [
        f"#{r[0]} {r[2]:<7} {r[1]}  {r[3]}...  created {r[4]:%Y-%m-%d}"
        + (f"  revoked {r[5]:%Y-%m-%d}" if r[5] else "")
        for r in conn.execute(_Q["list"])
    ]


def may(role: Role, needed: Role) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[needed]
