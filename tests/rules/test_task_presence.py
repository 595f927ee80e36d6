"""Tasks and presence from tags on a synthetic day with known totals: labour hours per
worker, floor and task (API and `sitepulse labor export`), the tasks routes, and crew per
task per day with the suggested actual dates."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from core.db import Connection
from core.settings import Settings
from schedules.mapping import Mapping
from schedules.store import apply_schedule, read_schedule, site_frame
from sites.site_file import SiteFile

LOCAL = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 16)  # a past day: its tasks (and the margin) are over
SCHEDULE = """\
id,name,type,floors,planned_start,planned_finish,crew,trade
R2,绑扎钢筋 Rebar 2F,rebar,2,2026-11-16 08:00,2026-11-16 18:00,4,rebar
F2,支模 Formwork 2F,formwork,2,2026-11-16 07:00,2026-11-17 18:00,6,formwork
C3,浇筑 Pour 3F,pour,3,2026-11-16 13:00,2026-11-16 17:00,3,concrete
"""


def at(hhmmss: str) -> datetime:
    return datetime.combine(DAY, datetime.strptime(hhmmss, "%H:%M:%S").time(), tzinfo=LOCAL)


def presence(conn: Connection, site: str, tag: str, floor: int, first: str, last: str) -> None:
    """A tag heard every 10 s from `first` to `last` inclusive, site-local."""
    conn.execute(
        "INSERT INTO tag_readings (ts, device_id, site_id, received_at, floor)"
        " SELECT g, %s, %s, now(), %s FROM generate_series(%s, %s, interval '10 s') AS g",
        (tag, site, floor, at(first), at(last)),
    )


@pytest.fixture
def day_on_site(conn: Connection, site_id: str, loaded_site: SiteFile, tmp_path: Path) -> str:
    path = tmp_path / "day.csv"
    path.write_text(SCHEDULE, encoding="utf-8")
    apply_schedule(conn, site_id, read_schedule(path, site_frame(conn, site_id), Mapping()))
    # w-0001 (rebar): 2F 08:00-12:00 with an 8-minute silence (counted) and a 15-minute
    # one (not counted): 3.75 h on R2; then 3F 13:00-15:00, where only a pour runs: 2 h,
    # no task of the rebar trade.
    presence(conn, site_id, "tag-0001", 2, "08:00:00", "09:00:00")
    presence(conn, site_id, "tag-0001", 2, "09:08:00", "10:00:00")
    presence(conn, site_id, "tag-0001", 2, "10:15:00", "12:00:00")
    presence(conn, site_id, "tag-0001", 3, "13:00:00", "15:00:00")
    # w-0002 (formwork): 2F 08:00-10:00 on F2 (2 h), then 1F 10:00-11:00 (1 h, no task).
    presence(conn, site_id, "tag-0002", 2, "08:00:00", "09:59:50")
    presence(conn, site_id, "tag-0002", 1, "10:00:00", "11:00:00")
    # w-0003 (concrete) was not on site.
    return site_id


EXPECTED = [
    # worker, trade, floor, task, hours
    ("w-0002", "formwork", 1, None, 1.0),
    ("w-0002", "formwork", 2, "F2", 2.0),
    ("w-0001", "rebar", 2, "R2", 3.75),
    ("w-0001", "rebar", 3, None, 2.0),
]


@pytest.fixture
def client(settings: Settings, conn: Connection) -> Iterator[tuple[TestClient, dict[str, str]]]:
    _, secret = create_key(conn, "test viewer", "viewer")
    with TestClient(create_app(settings)) as test_client:
        yield test_client, {"Authorization": f"Bearer {secret}"}


def get(client: tuple[TestClient, dict[str, str]], path: str, status: int = 200) -> Any:
    response = client[0].get(path, headers=client[1])
    assert response.status_code == status, response.text
    return response.json()


def test_labour_hours_per_task_match_the_known_day(
    client: tuple[TestClient, dict[str, str]], day_on_site: str
) -> None:
    rows = get(client, f"/api/v1/sites/{day_on_site}/labor/tasks?day={DAY}")
    found = sorted((r["worker"], r["trade"], r["floor"], r["task"], r["hours"]) for r in rows)
    assert found == sorted(EXPECTED)


def test_labor_export_writes_the_same_totals_as_csv(
    settings: Settings, day_on_site: str, tmp_path: Path
) -> None:
    out = tmp_path / "hours.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitepulse",
            "labor",
            "export",
            "--site",
            day_on_site,
            "--from",
            str(DAY - timedelta(days=1)),
            "--to",
            str(DAY),
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={
            "SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(),
            "PATH": "/usr/bin",
        },
    )
    assert done.returncode == 0, done.stderr
    assert "4 rows, 8.75 hours" in done.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "day",
        "worker",
        "name",
        "trade",
        "floor",
        "task",
        "task_name",
        "hours",
    ]
    found = sorted(
        (r["worker"], r["trade"], int(r["floor"]), r["task"] or None, float(r["hours"]))
        for r in rows
    )
    assert found == sorted(EXPECTED)
    assert {r["day"] for r in rows} == {str(DAY)}


def test_site_tasks_filter_by_floor_time_and_status_and_page(
    client: tuple[TestClient, dict[str, str]], day_on_site: str
) -> None:
    base = f"/api/v1/sites/{day_on_site}/tasks"
    assert [t["id"] for t in get(client, base)["tasks"]] == ["F2", "R2", "C3"]
    noon = at("12:00:00").isoformat().replace("+", "%2B")
    active = get(client, f"{base}?floor=2&active_at={noon}")
    assert [t["id"] for t in active["tasks"]] == ["F2", "R2"]
    late = at("18:30:00").isoformat().replace("+", "%2B")
    assert [t["id"] for t in get(client, f"{base}?floor=2&active_at={late}")["tasks"]] == ["F2"]
    assert get(client, f"{base}?floor=3&active_at={late}")["tasks"] == []
    assert get(client, f"{base}?status=done")["tasks"] == []
    page = get(client, f"{base}?limit=2")
    assert [t["id"] for t in page["tasks"]] == ["F2", "R2"]
    rest = client[0].get(page["next"], headers=client[1]).json()
    assert ([t["id"] for t in rest["tasks"]], rest["next"]) == (["C3"], None)
    get(client, "/api/v1/sites/nowhere/tasks", status=404)


def test_a_task_shows_its_crew_per_day_and_suggested_dates(
    client: tuple[TestClient, dict[str, str]], day_on_site: str
) -> None:
    task = get(client, f"/api/v1/tasks/R2?site={day_on_site}")
    assert (task["name"], task["type"], task["floors"], task["status"]) == (
        "绑扎钢筋 Rebar 2F",
        "rebar",
        [2],
        "planned",
    )
    assert datetime.fromisoformat(task["planned_start"]) == at("08:00:00")
    assert task["actual_start"] is None  # what a person enters is never filled in for them
    assert task["crew"] == [
        {
            "date": str(DAY),
            "workers_present": 1,
            "crew_planned": 4,
            "first_seen": task["crew"][0]["first_seen"],
            "last_seen": task["crew"][0]["last_seen"],
        }
    ]
    assert datetime.fromisoformat(task["suggested_start"]) == at("08:00:00")
    assert datetime.fromisoformat(task["suggested_finish"]) == at("12:00:00")
    # rebar has no spec of its own: a record with nothing to judge, nothing gone wrong
    assert (task["quality"]["specs"], task["quality"]["excursions"]) == ([], [])
    assert task["risks"] == []
    # The pour on 3F: only concrete workers count, and none came.
    pour = get(client, f"/api/v1/tasks/C3?site={day_on_site}")
    assert (pour["crew"], pour["suggested_start"]) == ([], None)
    # The id is unique across sites here, so the site may be left out.
    assert get(client, "/api/v1/tasks/F2")["site"] == day_on_site
    get(client, f"/api/v1/tasks/X9?site={day_on_site}", status=404)


def test_a_task_id_on_two_sites_needs_the_site(
    client: tuple[TestClient, dict[str, str]], conn: Connection, day_on_site: str
) -> None:
    conn.execute("INSERT INTO sites VALUES ('other', 'Other', 'UTC')")
    conn.execute(
        "INSERT INTO tasks (site_id, id, name, planned_start, planned_finish, status,"
        " source_file, source_format) SELECT 'other', id, name, planned_start, planned_finish,"
        " status, source_file, source_format FROM tasks WHERE id = 'R2'"
    )
    problem = get(client, "/api/v1/tasks/R2", status=422)
    assert "several sites" in problem["detail"]
    assert get(client, "/api/v1/tasks/R2?site=other")["site"] == "other"


def test_floors_list_the_tasks_under_way_now(
    client: tuple[TestClient, dict[str, str]], conn: Connection, day_on_site: str
) -> None:
    insert = (
        "INSERT INTO tasks (site_id, id, name, floors, planned_start, planned_finish, status,"
        " source_file, source_format, removed_at) VALUES (%s, %s, 'now', '{2}',"
        " now() - interval '1 hour', now() + interval '1 hour', 'planned', 'x.csv', 'csv', %s)"
    )
    conn.execute(insert, (day_on_site, "NOW2", None))
    conn.execute(insert, (day_on_site, "GONE2", datetime.now(LOCAL)))  # removed: not shown
    floors = {
        f["level"]: f["active_tasks"] for f in get(client, f"/api/v1/sites/{day_on_site}/floors")
    }
    assert floors[2] == ["NOW2"]
    assert floors[3] == []  # the day's pour there is long over
