"""A scratch database for a benchmark: the services started, a fresh migrated database,
and the settings that point at it; dropped afterwards."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from pydantic import SecretStr

from core.db import Connection, connect
from core.migrate import migrate
from core.settings import Settings

SERVICES = str(Path(__file__).resolve().parent.parent / "deploy/debian/services.sh")


def create_scratch(database: str, **settings: Any) -> tuple[Settings, Connection]:
    subprocess.run([SERVICES, "start"], check=True, stdout=subprocess.DEVNULL)
    env = subprocess.run([SERVICES, "env"], capture_output=True, text=True, check=True).stdout
    values = dict(line.split("=", 1) for line in env.split())
    with psycopg.connect(
        _url(values["SITEPULSE_DATABASE_URL"], "postgres"), autocommit=True
    ) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    scratch = Settings(
        database_url=SecretStr(_url(values["SITEPULSE_DATABASE_URL"], database)),
        mqtt_url=SecretStr(values["SITEPULSE_MQTT_URL"]),
        **settings,
    )
    conn = connect(scratch)
    migrate(conn)
    return scratch, conn


def drop_scratch(settings: Settings, conn: Connection) -> None:
    conn.close()
    url = settings.database_url.get_secret_value()
    database = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _url(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))
