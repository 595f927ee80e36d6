"""What Grafana is given besides the dashboards: the data source (the read-only role,
TimescaleDB on), the dashboard provider, the wall playlist. Grafana provisions data
sources and dashboards from files; playlists it takes only through its HTTP API, so the
playlist is written as that API's request body and `sitepulse dashboards publish` posts it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders.playlist import Playlist, PlaylistItem
from grafana_foundation_sdk.models.playlist import Playlist as PlaylistModel

from dashboards.catalog import WALL
from dashboards.sql_query import DATASOURCE_TYPE, DATASOURCE_UID

FOLDER_UID = "sitepulse"
FOLDER_TITLE = "SitePulse"
GRAFANA_ROLE = "sitepulse_grafana"  # created by migration 0008
# Where the compose file mounts the built dashboards inside the Grafana container.
DASHBOARDS_PATH = "/var/lib/grafana/dashboards/sitepulse"


@dataclass(frozen=True)
class DatabaseAccess:
    host: str  # host:port as Grafana reaches the database
    database: str
    password: str


def datasource(access: DatabaseAccess) -> dict[str, Any]:
    """The data source in the shape of Grafana's HTTP API and of its provisioning file."""
    return {
        "name": "SitePulse",
        "uid": DATASOURCE_UID,
        "type": DATASOURCE_TYPE,
        "access": "proxy",
        "url": access.host,
        "user": GRAFANA_ROLE,
        "isDefault": True,
        "jsonData": {
            "database": access.database,
            "sslmode": "disable",
            "timescaledb": True,
            "postgresVersion": 1500,
            "maxOpenConns": 10,
            "connMaxLifetime": 14400,
        },
        "secureJsonData": {"password": access.password},
    }


def datasource_file() -> dict[str, Any]:
    # Grafana expands ${VAR} in provisioning files from its environment (compose sets them).
    access = DatabaseAccess(
        "${SITEPULSE_GRAFANA_DB_HOST}",
        "${SITEPULSE_GRAFANA_DB_NAME}",
        "${SITEPULSE_GRAFANA_DB_PASSWORD}",
    )
    return {"apiVersion": 1, "datasources": [{**datasource(access), "editable": False}]}


def provider_file() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "sitepulse",
                "folder": FOLDER_TITLE,
                "folderUid": FOLDER_UID,
                "type": "file",
                "disableDeletion": True,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 60,
                "options": {"path": DASHBOARDS_PATH},
            }
        ],
    }


def wall_playlist() -> PlaylistModel:
    return (
        Playlist()
        .uid("sitepulse-wall")
        .name("SitePulse wall")
        .interval("1m")
        .items([PlaylistItem().type("dashboard_by_uid").value(uid) for uid in WALL])
        .build()
    )
