"""The concrete tests' app in a test client, a viewer key, and a browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

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


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, driven by Playwright (no browser download)."""
    executable = shutil.which("chromium")
    assert executable, "chromium is not installed: deploy/debian/setup.sh installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield launched
        launched.close()
