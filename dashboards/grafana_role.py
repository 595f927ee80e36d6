"""The deployment's step for Grafana's read-only role: migration 0008 creates it without
login; a deployment gives it LOGIN and its password (SITEPULSE_GRAFANA_DB_PASSWORD)."""

from __future__ import annotations

from psycopg import sql

from core.db import Connection
from core.errors import SitePulseError
from dashboards.provisioning import GRAFANA_ROLE


def allow_grafana_login(conn: Connection, password: str) -> None:
    if len(password) < 12:
        raise SitePulseError(
            "SITEPULSE_GRAFANA_DB_PASSWORD must be set to at least 12 characters for the "
            f"{GRAFANA_ROLE} role"
        )
    conn.execute(
        sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(GRAFANA_ROLE), sql.Literal(password)
        )
    )
