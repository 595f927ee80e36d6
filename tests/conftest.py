"""Real services for the tests: PostgreSQL with TimescaleDB and Mosquitto, started by the
same script as the demo. Each test gets its own database cloned from a migrated template
and its own site id (so its own topics). A service that cannot start fails the run."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright
from pydantic import SecretStr

from api.app import create_app
from core.db import Connection, connect
from core.migrate import migrate
from core.settings import Settings
from sites.site_file import SiteFile
from sites.store import apply_site
from tests.helpers import Services, make_test_site

REPO = Path(__file__).resolve().parent.parent
# Named after the migrations it holds: checkouts with other migrations (worktrees, other
# branches) testing against the same server never clone each other's template.
_MIGRATIONS = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted((REPO / "core/migrations").glob("*.sql")))
).hexdigest()[:10]
TEMPLATE_DB = f"sitepulse_test_template_{_MIGRATIONS}"


@pytest.fixture(scope="session")
def services() -> Services:
    script = REPO / "deploy/debian/services.sh"
    started = subprocess.run([str(script), "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        pytest.fail(
            f"could not start PostgreSQL/Mosquitto with {script}:\n"
            f"{started.stdout}{started.stderr}",
            pytrace=False,
        )
    env = subprocess.run([str(script), "env"], capture_output=True, text=True, check=True).stdout
    values = dict(line.split("=", 1) for line in env.split())
    return Services(
        database_url=values["SITEPULSE_DATABASE_URL"],
        mqtt_url=values["SITEPULSE_MQTT_URL"],
        mqtt_dir=Path(values["SITEPULSE_MQTT_DIR"]),
    )


@pytest.fixture(scope="session")
def template_db(services: Services) -> str:
    """The migrated template, built once per set of migrations. It is built under a name
    of its own and renamed when complete, so that test sessions running at the same time
    (several checkouts, CI beside a developer) never clone a half-built one nor drop the
    one another session is cloning."""
    with psycopg.connect(services.url_for("postgres"), autocommit=True) as admin:
        ready = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s AND datistemplate", (TEMPLATE_DB,)
        )
        if ready.fetchone():
            return TEMPLATE_DB
        building = f"{TEMPLATE_DB}_b{uuid.uuid4().hex[:8]}"
        admin.execute(f"CREATE DATABASE {building}")
    with psycopg.connect(services.url_for(building), autocommit=True) as conn:
        migrate(conn)
    with psycopg.connect(services.url_for("postgres"), autocommit=True) as admin:
        # TimescaleDB's scheduler connects to every database with the extension; a
        # template that allows no connections can be cloned at any moment.
        admin.execute(f"ALTER DATABASE {building} ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (building,),
        )
        try:
            admin.execute(f"ALTER DATABASE {building} RENAME TO {TEMPLATE_DB}")
        except psycopg.errors.DuplicateDatabase:  # another session finished first: use its
            admin.execute(f"DROP DATABASE {building} WITH (FORCE)")
        else:
            admin.execute(f"ALTER DATABASE {TEMPLATE_DB} IS_TEMPLATE true")
    return TEMPLATE_DB


@pytest.fixture
def database_url(services: Services, template_db: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(services.url_for("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
    try:
        yield services.url_for(name)
    finally:
        with psycopg.connect(services.url_for("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def site_id() -> str:
    return f"s-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(services: Services, database_url: str, site_id: str) -> Settings:
    return Settings(
        database_url=SecretStr(database_url),
        mqtt_url=SecretStr(services.mqtt_url),
        mqtt_dir=services.mqtt_dir,
        ingest_client_id=f"ingest-{site_id}",
        ingest_group=f"g-{site_id}",
        ingest_site_filter=site_id,
        ingest_session_expiry_s=600,
        ingest_batch_age_ms=20,
    )


@pytest.fixture
def conn(settings: Settings) -> Iterator[Connection]:
    with connect(settings) as connection:
        yield connection


@pytest.fixture
def loaded_site(conn: Connection, site_id: str) -> SiteFile:
    site = make_test_site(site_id)
    apply_site(conn, site)
    return site


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api_url(settings: Settings) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, driven by Playwright (no browser download)."""
    executable = shutil.which("chromium")
    assert executable, "chromium is not installed: deploy/debian/setup.sh installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()
