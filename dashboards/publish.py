"""`sitepulse dashboards publish`: folder, data source, dashboards and the wall playlist
pushed to a running Grafana through its HTTP API (grafana-client). Repeatable: what
exists is updated in place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaClientError, GrafanaException

from core.errors import SitePulseError
from dashboards.build import build_files, load_json
from dashboards.provisioning import (
    FOLDER_TITLE,
    FOLDER_UID,
    DatabaseAccess,
    datasource,
)
from dashboards.sql_query import DATASOURCE_UID

__all__ = ["DatabaseAccess", "GrafanaRefused", "publish"]


class GrafanaRefused(SitePulseError):
    """Grafana refused a request; check the URL and that the token's role is Editor or Admin."""


def publish(url: str, token: str, access: DatabaseAccess) -> Iterator[str]:
    """Push everything; yield a line per thing done."""
    api: Any = GrafanaApi.from_url(url, credential=token, timeout=10.0)
    try:
        yield from _publish(api, access)
    except GrafanaException as exc:
        raise GrafanaRefused(f"Grafana at {url} answered {exc.status_code}: {exc.message}") from exc
    finally:
        api.client.s.close()  # grafana-client keeps a pooled session open otherwise


def _publish(api: Any, access: DatabaseAccess) -> Iterator[str]:
    if _missing(lambda: api.folder.get_folder(FOLDER_UID)):
        api.folder.create_folder(FOLDER_TITLE, uid=FOLDER_UID)
        yield f"folder {FOLDER_TITLE}: created"
    else:
        yield f"folder {FOLDER_TITLE}: exists"

    body = datasource(access)
    if _missing(lambda: api.datasource.get_datasource_by_uid(DATASOURCE_UID)):
        api.datasource.create_datasource(body)
        yield f"data source {body['name']}: created"
    else:
        api.datasource.update_datasource_by_uid(DATASOURCE_UID, body)
        yield f"data source {body['name']}: updated"

    files = build_files()
    for relative, text in sorted(files.items()):
        if relative.startswith("json/"):
            board = load_json(text)
            api.dashboard.update_dashboard(
                {
                    "dashboard": board,
                    "folderUid": FOLDER_UID,
                    "overwrite": True,
                    "message": "sitepulse dashboards publish",
                }
            )
            yield f"dashboard {board['title']}: saved"

    playlist = load_json(files["playlists/sitepulse-wall.json"])
    found = api.client.GET(f"/playlists?query={quote(str(playlist['name']))}")
    if any(item.get("uid") == playlist["uid"] for item in found or []):
        api.client.PUT(f"/playlists/{playlist['uid']}", json=playlist)
        yield f"playlist {playlist['name']}: updated"
    else:
        api.client.POST("/playlists", json=playlist)
        yield f"playlist {playlist['name']}: created"


def _missing(get: Any) -> bool:
    try:
        get()
    except GrafanaClientError as exc:
        if exc.status_code == 404:
            return True
        raise
    return False
