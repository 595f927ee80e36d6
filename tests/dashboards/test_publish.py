"""`sitepulse dashboards publish` against a local HTTP server that answers as Grafana's
HTTP API is documented (folders, data sources, dashboards, playlists) and refuses any
request whose method, path, headers or body do not have the documented shape. No Grafana
server runs here; this checks what we send."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboards.catalog import WALL, dashboards
from dashboards.provisioning import DatabaseAccess
from dashboards.publish import GrafanaRefused, publish
from tests.receivers import reply_json

TOKEN = "glsa_test_token"
Body = dict[str, Any]


def _folder(body: Body) -> list[str]:
    return _keys(body, required={"title": str}, optional={"uid": str, "parentUid": str})


def _datasource(body: Body) -> list[str]:
    problems = _keys(
        body,
        required={"name": str, "type": str, "access": str, "url": str},
        optional={
            "uid": str,
            "user": str,
            "database": str,
            "isDefault": bool,
            "jsonData": dict,
            "secureJsonData": dict,
            "basicAuth": bool,
        },
    )
    if body.get("access") not in ("proxy", "direct"):
        problems.append("access must be proxy or direct")
    return problems


def _dashboard(body: Body) -> list[str]:
    problems = _keys(
        body,
        required={"dashboard": dict},
        optional={"folderUid": str, "folderId": int, "message": str, "overwrite": bool},
    )
    board = body.get("dashboard", {})
    if board.get("id") is not None:
        problems.append("dashboard.id must be null or absent to create or overwrite by uid")
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in board:
            problems.append(f"dashboard.{key} missing")
    return problems


def _playlist(body: Body) -> list[str]:
    problems = _keys(
        body, required={"name": str, "interval": str, "items": list}, optional={"uid": str}
    )
    for item in body.get("items", []):
        if item.get("type") not in ("dashboard_by_uid", "dashboard_by_id", "dashboard_by_tag"):
            problems.append(f"playlist item type {item.get('type')!r}")
        if not isinstance(item.get("value"), str):
            problems.append("playlist item value must be a string")
    return problems


def _keys(body: Body, required: dict[str, type], optional: dict[str, type]) -> list[str]:
    problems = [f"{k} missing" for k in required if k not in body]
    for key, value in body.items():
        kind = required.get(key) or optional.get(key)
        if kind is None:
            problems.append(f"unknown field {key}")
        elif not isinstance(value, kind):
            problems.append(f"{key} must be {kind.__name__}")
    return problems


@dataclass
class FakeGrafana:
    """The state a Grafana would keep, and every request it was sent."""

    requests: list[tuple[str, str, Body | None]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    folders: dict[str, Body] = field(default_factory=dict)
    datasources: dict[str, Body] = field(default_factory=dict)
    dashboards: dict[str, Body] = field(default_factory=dict)
    playlists: dict[str, Body] = field(default_factory=dict)

    def answer(self, method: str, path: str, query: str, body: Body | None) -> tuple[int, Any]:
        routes: list[tuple[str, str, Callable[[Body], list[str]] | None, Callable[..., Any]]] = [
            ("GET", r"/api/folders/([\w-]+)", None, self._get_folder),
            ("POST", r"/api/folders", _folder, self._create_folder),
            ("GET", r"/api/datasources/uid/([\w-]+)", None, self._get_datasource),
            ("POST", r"/api/datasources", _datasource, self._create_datasource),
            ("PUT", r"/api/datasources/uid/([\w-]+)", _datasource, self._update_datasource),
            ("POST", r"/api/dashboards/db", _dashboard, self._save_dashboard),
            ("GET", r"/api/playlists", None, self._search_playlists),
            ("POST", r"/api/playlists", _playlist, self._create_playlist),
            ("PUT", r"/api/playlists/([\w-]+)", _playlist, self._update_playlist),
        ]
        for verb, pattern, check, handle in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                if check is not None:
                    found = check(body or {})
                    if found:
                        self.problems += [f"{method} {path}: {p}" for p in found]
                        return 400, {"message": "; ".join(found)}
                return handle(*match.groups(), body=body, query=parse_qs(query))  # type: ignore[no-any-return]
        self.problems.append(f"{method} {path}: no such route in Grafana's API")
        return 404, {"message": "Not found"}

    def _get_folder(self, uid: str, **_: Any) -> tuple[int, Any]:
        if uid in self.folders:
            return 200, self.folders[uid]
        return 404, {"message": "folder not found", "status": "not-found"}

    def _create_folder(self, body: Body, **_: Any) -> tuple[int, Any]:
        folder = {
            "id": len(self.folders) + 1,
            "uid": body["uid"],
            "title": body["title"],
            "url": f"/dashboards/f/{body['uid']}/",
        }
        self.folders[body["uid"]] = folder
        return 200, folder

    def _get_datasource(self, uid: str, **_: Any) -> tuple[int, Any]:
        if uid in self.datasources:
            return 200, self.datasources[uid]
        return 404, {"message": "Data source not found"}

    def _create_datasource(self, body: Body, **_: Any) -> tuple[int, Any]:
        stored = {**body, "id": len(self.datasources) + 1}
        stored.pop("secureJsonData", None)  # Grafana never returns secrets
        self.datasources[body["uid"]] = stored
        return 200, {
            "datasource": stored,
            "id": stored["id"],
            "message": "Datasource added",
            "name": body["name"],
        }

    def _update_datasource(self, uid: str, body: Body, **_: Any) -> tuple[int, Any]:
        if uid not in self.datasources:
            return 404, {"message": "Data source not found"}
        return 200, {
            "datasource": self.datasources[uid],
            "id": self.datasources[uid]["id"],
            "message": "Datasource updated",
            "name": body["name"],
        }

    def _save_dashboard(self, body: Body, **_: Any) -> tuple[int, Any]:
        board = body["dashboard"]
        if board["uid"] in self.dashboards and not body.get("overwrite"):
            return 412, {
                "message": "The dashboard has been changed by someone else",
                "status": "version-mismatch",
            }
        if body.get("folderUid") not in self.folders:
            return 400, {"message": "folder not found"}
        version = self.dashboards.get(board["uid"], {}).get("version", 0) + 1
        self.dashboards[board["uid"]] = {**board, "version": version}
        return 200, {
            "id": len(self.dashboards),
            "uid": board["uid"],
            "status": "success",
            "url": f"/d/{board['uid']}/x",
            "version": version,
            "slug": "x",
        }

    def _search_playlists(self, query: dict[str, list[str]], **_: Any) -> tuple[int, Any]:
        wanted = query.get("query", [""])[0]
        return 200, [
            {"id": n, "uid": uid, "name": p["name"], "interval": p["interval"]}
            for n, (uid, p) in enumerate(self.playlists.items(), start=1)
            if wanted in p["name"]
        ]

    def _create_playlist(self, body: Body, **_: Any) -> tuple[int, Any]:
        self.playlists[body.get("uid", "generated")] = body
        return 200, {"id": len(self.playlists), **body}

    def _update_playlist(self, uid: str, body: Body, **_: Any) -> tuple[int, Any]:
        if uid not in self.playlists:
            return 404, {"message": "playlist not found"}
        self.playlists[uid] = body
        return 200, {"uid": uid, **body}


@pytest.fixture
def grafana() -> Iterator[tuple[str, FakeGrafana]]:
    state = FakeGrafana()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            state.requests.append((self.command, parts.path, body))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, answer = 401, {"message": "Unauthorized"}
            elif raw and "application/json" not in (self.headers.get("Content-Type") or ""):
                state.problems.append(f"{self.command} {parts.path}: body is not JSON")
                status, answer = 415, {"message": "Unsupported Media Type"}
            else:
                status, answer = state.answer(self.command, parts.path, parts.query, body)
            reply_json(self, status, answer)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()
    thread.join(5)


ACCESS = DatabaseAccess("timescaledb:5432", "sitepulse", "s3cret")


def test_publish_creates_folder_datasource_dashboards_and_playlist_then_updates_them(
    grafana: tuple[str, FakeGrafana],
) -> None:
    url, state = grafana
    lines = list(publish(url, TOKEN, ACCESS))
    assert state.problems == []
    assert lines[0] == "folder SitePulse: created"
    assert lines[1] == "data source SitePulse: created"
    assert lines[-1] == "playlist SitePulse wall: created"
    assert set(state.dashboards) == {board.uid for board in dashboards()}
    assert all(board["title"] for board in state.dashboards.values())
    source = next(body for m, p, body in state.requests if (m, p) == ("POST", "/api/datasources"))
    assert source is not None
    assert source["user"] == "sitepulse_grafana"
    assert source["jsonData"]["timescaledb"] is True
    assert source["secureJsonData"] == {"password": "s3cret"}
    assert [i["value"] for i in state.playlists["sitepulse-wall"]["items"]] == list(WALL)

    state.requests.clear()
    again = list(publish(url, TOKEN, ACCESS))
    assert state.problems == []
    assert again[0] == "folder SitePulse: exists"
    assert again[1] == "data source SitePulse: updated"
    assert again[-1] == "playlist SitePulse wall: updated"
    methods = {(m, p) for m, p, _ in state.requests}
    assert ("POST", "/api/folders") not in methods
    assert ("PUT", "/api/datasources/uid/sitepulse-db") in methods
    assert ("PUT", "/api/playlists/sitepulse-wall") in methods
    assert all(board["version"] == 2 for board in state.dashboards.values())


def test_a_refused_token_is_reported_with_the_status(grafana: tuple[str, FakeGrafana]) -> None:
    url, state = grafana
    with pytest.raises(GrafanaRefused, match=r"answered 401"):
        list(publish(url, "wrong", ACCESS))
    assert state.folders == {}
