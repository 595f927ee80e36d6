"""The concrete tests' app in a test client, a viewer key, and a browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from core.db import Connection
from core.settings import Settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def viewer(conn: Connection) -> str:
    return create_key(conn, "technical lead", "viewer")[1]
