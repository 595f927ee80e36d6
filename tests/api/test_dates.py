"""Dates and times at the ends of the calendar (the year 9999, the year 1, offsets that
carry them past it) are refused as 422 naming the parameter, never a server error."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from api.keys import create_key
from core.db import Connection
from sites.site_file import SiteFile


def get(url: str, key: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
            return int(response.status), json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


ROUTES = {
    "labour": "/api/v1/sites/{site}/labor",
    "labour by task": "/api/v1/sites/{site}/labor/tasks",
    "readings": "/api/v1/devices/env-2f-01/readings",
    "floor readings": "/api/v1/sites/{site}/floors/2/readings?metric=temp_c",
    "tasks": "/api/v1/sites/{site}/tasks",
}
OUT_OF_RANGE = [
    ("labour", {"day": "9999-12-31"}, "query.day"),
    ("labour", {"day": "0001-01-01"}, "query.day"),
    ("labour by task", {"day": "9999-12-31"}, "query.day"),
    ("labour by task", {"day": "0001-01-01"}, "query.day"),
    ("readings", {"to": "0001-01-01T00:00:00Z"}, "query.to"),
    ("readings", {"from": "9999-12-31T23:59:59-12:00"}, "query.from"),
    ("readings", {"from": "0001-01-01T00:00:00+14:00", "to": "2026-01-01T00:00:00Z"}, "query.from"),
    ("floor readings", {"to": "0001-01-01T00:00:00Z"}, "query.to"),
    ("floor readings", {"to": "9999-12-31T23:59:59-12:00"}, "query.to"),
    ("tasks", {"active_at": "9999-12-31T23:59:59-12:00"}, "query.active_at"),
    ("tasks", {"active_at": "0001-01-01T00:00:00+14:00"}, "query.active_at"),
]


@pytest.fixture
def key(conn: Connection) -> str:
    return create_key(conn, "dates", "viewer")[1]


@pytest.mark.parametrize(
    ("route", "params", "field"), OUT_OF_RANGE, ids=[f"{r} {p}" for r, p, _ in OUT_OF_RANGE]
)
def test_dates_past_the_calendar_are_422_naming_the_parameter(
    api_url: str,
    site_id: str,
    loaded_site: SiteFile,
    key: str,
    route: str,
    params: dict[str, str],
    field: str,
) -> None:
    path = ROUTES[route].format(site=site_id)
    url = f"{api_url}{path}{'&' if '?' in path else '?'}{urlencode(params)}"
    status, body = get(url, key)
    assert status == 422, body
    assert body["detail"].startswith(f"invalid {field}: "), body
    assert "between" in body["detail"], body


def test_dates_in_range_still_answer(
    api_url: str, site_id: str, loaded_site: SiteFile, key: str
) -> None:
    for path in (
        f"/api/v1/sites/{site_id}/labor?day=2026-11-23",
        f"/api/v1/sites/{site_id}/labor/tasks?day=2026-11-23",
        "/api/v1/devices/env-2f-01/readings?from=2026-11-23T00:00:00%2B08:00",
        f"/api/v1/sites/{site_id}/tasks?active_at=2026-11-23T08:00:00Z",
    ):
        status, body = get(f"{api_url}{path}", key)
        assert status == 200, (path, body)
