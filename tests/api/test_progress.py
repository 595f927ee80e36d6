"""Floors against plan: the decisions (progress/plan.py) on their own, and the route on the
demo tower (its site file and schedule as shipped in deploy/), with a crew's presence
arriving through MQTT and ingest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from core.db import Connection
from core.settings import Settings
from progress.plan import PlannedTask, floor_progress, site_progress, takt, variance
from progress.presence import Suggested
from sites.site_file import SiteFile, parse_site_file
from sites.store import apply_site
from tests.api.conftest import Keys
from tests.helpers import REPO, publish, publisher, rows, running_ingest, sitepulse, wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
D = timedelta(days=1)
NO_DATES = Suggested()


def task(
    id: str = "t",
    *,
    type: str | None = "rebar",
    floors: tuple[int, ...] = (1,),
    start: datetime = NOW - 2 * D,
    days: float = 1.0,
    actual: tuple[datetime | None, datetime | None] = (None, None),
    status: str = "",
) -> PlannedTask:
    status = status or ("done" if actual[1] else "in_progress" if actual[0] else "planned")
    return PlannedTask(
        id=id,
        name=f"task {id}",
        type=type,
        floors=list(floors),
        planned_start=start,
        planned_finish=start + days * D,
        actual_start=actual[0],
        actual_finish=actual[1],
        status=status,  # type: ignore[arg-type]
        trade=None,
        crew_planned=None,
    )


@pytest.mark.parametrize(
    ("planned", "dates", "days", "basis"),
    [
        # finished a day after its planned finish
        (task(actual=(NOW - 2 * D, NOW)), NO_DATES, 1.0, "actual"),
        # finished half a day early
        (task(actual=(NOW - 2 * D, NOW - 1.5 * D)), NO_DATES, -0.5, "actual"),
        # started on time, not over yet
        (task(start=NOW - 0.5 * D, days=2, actual=(NOW - 0.5 * D, None)), NO_DATES, 0.0, "actual"),
        # started a day late, not over yet: a day late by its planned duration
        (task(start=NOW - 2 * D, days=3, actual=(NOW - D, None)), NO_DATES, 1.0, "actual"),
        # under way and past its planned finish: late by the time since
        (task(start=NOW - 4 * D, days=1, actual=(NOW - 4 * D, None)), NO_DATES, 3.0, "actual"),
        # not started, due to start three days ago
        (task(start=NOW - 3 * D), NO_DATES, 3.0, "planned"),
        # not started, not due yet
        (task(start=NOW + 3 * D), NO_DATES, 0.0, "planned"),
        # no dates entered: the crew's presence says when
        (task(start=NOW - 3 * D), Suggested(NOW - 2 * D, NOW - 0.5 * D), 1.5, "suggested"),
        # its crew came a day late and is still at it (no finish suggested yet)
        (task(start=NOW - 3 * D, days=2), Suggested(NOW - 2 * D, None), 1.0, "suggested"),
        # entered dates win over suggested ones
        (task(actual=(NOW - 2 * D, NOW - D)), Suggested(NOW - 3 * D, NOW), 0.0, "actual"),
        # marked done, no dates anywhere: nothing says it was late
        (task(status="done"), NO_DATES, 0.0, "planned"),
    ],
)  # fmt: skip
def test_a_tasks_variance_against_plan(
    planned: PlannedTask, dates: Suggested, days: float, basis: str
) -> None:
    found = variance(planned, dates, NOW)
    assert (found.days, found.basis) == (days, basis)


def test_a_floor_counts_its_tasks_and_is_late_by_its_worst_task_not_done() -> None:
    tasks = [
        task("done-late", actual=(NOW - 9 * D, NOW - 5 * D), start=NOW - 9 * D),  # +3, done
        task("forms", type="formwork", start=NOW - D, days=2, actual=(NOW - D, None)),
        task("rebar", start=NOW - 1.5 * D, days=1),  # due to start 1.5 days ago
        task("pour", type="pour", start=NOW + D),
    ]
    floor = floor_progress(7, "7F", tasks, {}, NOW)
    assert (floor.done, floor.under_way, floor.planned) == (1, 1, 2)
    assert (floor.due, floor.due_not_done) == (2, 1)  # done-late and rebar were due
    assert floor.under_way_types == ["formwork"]
    assert floor.late_days == 1.5  # the rebar; the late finish of a done task is history
    on_plan = floor_progress(7, "7F", tasks[:2], {}, NOW)
    assert on_plan.late_days is None


def test_the_takt_cycle_runs_from_formwork_start_to_pour_finish() -> None:
    forms = task(
        "f", type="formwork", start=NOW - 10 * D, days=2, actual=(NOW - 9 * D, NOW - 7 * D)
    )
    pour = task("p", type="pour", start=NOW - 6 * D, days=0.5)
    cycle = takt([forms, pour], {})
    assert (cycle.planned_days, cycle.actual_days) == (4.5, None)  # not poured yet
    seen = {"p": Suggested(NOW - 5 * D, NOW - 4.5 * D)}
    assert takt([forms, pour], seen).actual_days == 4.5  # 9 days ago to 4.5 days ago
    assert takt([pour], {}).planned_days is None


def test_the_sites_line_names_the_late_floors_worst_first() -> None:
    tasks = [
        task("a", floors=(1,), actual=(NOW - 3 * D, NOW - 2 * D), start=NOW - 3 * D),
        task("b", floors=(2,), start=NOW - 2 * D),
        task("c", floors=(3,), start=NOW - 4 * D, actual=(NOW - 4 * D, None)),
        task("d", floors=(), start=NOW + D),
    ]
    found = site_progress([(3, "3F"), (2, "2F"), (1, "1F")], tasks, {}, NOW)
    assert [f.name for f in found.floors] == ["3F", "2F", "1F"]
    assert (found.tasks, found.done, found.under_way, found.due_not_done) == (4, 1, 1, 2)
    assert found.floors_late == 2
    assert found.summary == (
        "2 floors late (3F +3 d, 2F +2 d): 1 of 4 tasks done, 1 under way, 2 due not done"
    )
    calm = site_progress([(1, "1F")], tasks[:1], {}, NOW)
    assert calm.summary == "On plan: 1 of 1 tasks done, 0 under way"


# ---- the route, on the demo tower ------------------------------------------------------


@pytest.fixture
def demo_tower(conn: Connection, site_id: str) -> str:
    """The demo tower's site file and schedule as the demo loads them, under the test's own
    site id (so its own topics)."""
    apply_site(conn, demo_site_file(site_id))
    return site_id


def demo_site_file(site_id: str) -> SiteFile:
    text = (REPO / "deploy/sites/demo-tower.yaml").read_text(encoding="utf-8")
    assert "{id: demo-tower," in text
    return parse_site_file(text.replace("{id: demo-tower,", f"{{id: {site_id},"), "demo.yaml")


def import_schedule(settings: Settings, site: str, path: Path) -> None:
    sitepulse(settings, "schedule", "import", str(path), "--site", site)


def get_progress(client: TestClient, keys: Keys, site: str, at: datetime) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/sites/{site}/progress", params={"at": at.isoformat()}, headers=keys["viewer"]
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_demo_tower_against_plan_on_its_status_date_and_a_week_later(
    settings: Settings, conn: Connection, client: TestClient, keys: Keys, demo_tower: str
) -> None:
    schedule = REPO / "deploy/schedules/demo-tower.csv"
    import_schedule(settings, demo_tower, schedule)
    (total,) = rows(conn, "SELECT count(*) FROM tasks WHERE site_id = %s", demo_tower)[0]
    (done,) = rows(
        conn, "SELECT count(*) FROM tasks WHERE site_id = %s AND status = 'done'", demo_tower
    )[0]

    # The schedule's status date (deploy/schedules/make_samples.py): what was due is done.
    found = get_progress(client, keys, demo_tower, NOW)
    floors = {f["name"]: f for f in found["floors"]}
    assert list(floors)[:3] == ["30F", "29F", "28F"]  # top first
    assert (found["tasks"], found["done"]) == (total, done)
    assert found["floors_late"] == 0
    assert found["summary"].startswith(f"On plan: {done} of {total} tasks done")
    assert floors["30F"]["under_way_types"] == ["formwork"]
    assert floors["28F"]["under_way_types"] == ["curing"]
    assert (floors["1F"]["done"], floors["1F"]["under_way"], floors["1F"]["planned"]) == (
        7,  # three crane erections, formwork, rebar, pour, curing
        0,
        0,
    )
    # 1F: formwork planned 07-01 07:00 to the pour's finish 07-04 20:00, done 09:00 to 21:00
    assert floors["1F"]["takt"] == {"planned_days": 3.5, "actual_days": 3.5}
    assert floors["30F"]["takt"]["actual_days"] is None  # not poured yet

    # A week later nobody has entered anything: 30F's rebar was due on 11-24 07:00.
    week = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    later = {f["name"]: f for f in get_progress(client, keys, demo_tower, week)["floors"]}
    assert later["30F"]["late_days"] == 6.0
    assert later["28F"]["late_days"] == 6.5  # curing ran past its 11-23 20:00 finish
    assert later["30F"]["due_not_done"] == 6  # all of 30F's tasks but the curing


def test_a_crews_presence_suggests_the_dates_nobody_entered(
    settings: Settings, conn: Connection, client: TestClient, keys: Keys, demo_tower: str
) -> None:
    import_schedule(settings, demo_tower, REPO / "deploy/schedules/demo-tower.csv")
    # 30F's rebar (planned 11-24 07:00 to 11-25 18:00): a rebar fixer's tag heard on 30F
    # on the 24th from 08:00 to 16:00 and on the 26th from 08:00 to 12:00, site time.
    start = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    days = [(start, 8), (start + 2 * D, 4)]
    readings = [
        {"ts": int((begin + i * H).timestamp() * 1000), "x_m": 40.0, "y_m": 40.0, "floor": 30}
        for begin, hours in days
        for i in range(hours + 1)
    ]
    with running_ingest(settings), publisher(settings) as client_mqtt:
        publish(
            client_mqtt,
            f"site/{demo_tower}/gateway/gw-02/telemetry",
            json.dumps({"tag-0002": readings}),
        )
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM tag_readings"),
            lambda r: r[0][0] == len(readings),
            what="the rebar fixer's readings",
        )
    week = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    floor = next(
        f for f in get_progress(client, keys, demo_tower, week)["floors"] if f["level"] == 30
    )
    # 30F is late now by its formwork, entered as started and never finished (+5.6 d),
    # no longer by its rebar (+6.0 d when nobody was seen): the rebar finished on 11-26
    assert floor["late_days"] == 5.6
    response = client.get(f"/api/v1/tasks/3002?site={demo_tower}", headers=keys["viewer"])
    assert response.status_code == 200, response.text
    detail = response.json()
    assert datetime.fromisoformat(detail["suggested_start"]) == start
    assert datetime.fromisoformat(detail["suggested_finish"]) == start + 2 * D + 4 * H


def test_an_unknown_site_and_a_bad_moment_are_refused(client: TestClient, keys: Keys) -> None:
    response = client.get("/api/v1/sites/nowhere/progress", headers=keys["viewer"])
    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]
    response = client.get(
        "/api/v1/sites/nowhere/progress", params={"at": "2026-11-30T08:00"}, headers=keys["viewer"]
    )
    assert response.status_code == 422
    assert "at" in response.text


def test_progress_needs_a_key(client: TestClient) -> None:
    assert client.get("/api/v1/sites/x/progress").status_code == 401


def test_now_is_the_default_moment(
    settings: Settings, client: TestClient, keys: Keys, demo_tower: str
) -> None:
    response = client.get(f"/api/v1/sites/{demo_tower}/progress", headers=keys["viewer"])
    assert response.status_code == 200
    at = datetime.fromisoformat(response.json()["at"])
    assert abs(at - datetime.now(UTC)) < timedelta(minutes=5)
