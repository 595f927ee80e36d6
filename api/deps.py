"""What routes depend on: a pooled connection, and the caller's key with its role (sent
as a bearer key, or a phone's session cookie standing for one: api/sessions.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Cookie, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.keys import ApiKey, Role, find_key, may
from api.problems import Problem
from api.sessions import COOKIE, find_session
from core.db import Connection
from core.settings import Settings

bearer = HTTPBearer(auto_error=False)
Session = Annotated[str | None, Cookie(alias=COOKIE, include_in_schema=False)]


def get_conn(request: Request) -> Iterator[Connection]:
    with request.app.state.pool.connection() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(get_conn)]


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def require(role: Role) -> Callable[..., ApiKey]:
    def check(
        conn: ConnDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        session: Session = None,
    ) -> ApiKey:
        if credentials is None and session is not None:
            key = find_session(conn, session)
            if key is None:
                raise Problem(401, "Unauthorized", "the session has ended: sign in again")
        elif credentials is None:
            raise Problem(401, "Unauthorized", "send Authorization: Bearer <api key>")
        else:
            key = find_key(conn, credentials.credentials)
        if key is None:
            raise Problem(401, "Unauthorized", "unknown or revoked API key")
        if not may(key.role, role):
            raise Problem(403, "Forbidden", f"this needs the {role} role; the key is {key.role}")
        return key

    return check


Viewer = Annotated[ApiKey, Depends(require("viewer"))]
Manager = Annotated[ApiKey, Depends(require("manager"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]
