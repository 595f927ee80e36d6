"""What the API's tests share: the app in a test client, and a key of each role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import Role, create_key
from core.db import Connection
from core.settings import Settings

Keys = dict[str, dict[str, str]]  # Authorization headers by role


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def keys(conn: Connection) -> Keys:
    roles: tuple[Role, ...] = ("viewer", "manager", "admin")
    return {
        role: {"Authorization": f"Bearer {create_key(conn, f'test {role}', role)[1]}"}
        for role in roles
    }
