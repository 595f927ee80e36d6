"""One floor as a manager on site sees it, through the real stack: a schedule imported by
the command line, readings through MQTT and ingest, the rollups refreshed, an alert raised
by the rules service; then `GET /api/v1/sites/{site}/floors/{level}`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.floor_detail import EnvDevice, latest_values
from core.db import Connection
from core.settings import Settings
from sites.site_file import SiteFile
from storage.rollups import refresh_rollups
from tests.api.conftest import Keys
from tests.helpers import (
    in_the_2f_shaft,
    publish,
    publisher,
    rows,
    running_ingest,
    running_rules,
    sitepulse,
    wait_for,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")  # tests/data/site.yaml's
MINUTE = timedelta(minutes=1)
# On 2F: the air sensor every 5 minutes over the last 2 hours, temperature climbing 0.1 °C
# a reading from 15 °C, noise at 60 dB(A).
READINGS = 24


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def write_schedule(path: Path, now: datetime) -> Path:
    """2F's tasks around now: rebar finished yesterday, formwork under way since this
    morning but started two hours late, the pour planned for tomorrow; 3F's formwork due
    two days ago and not started."""
    d, h = timedelta(days=1), timedelta(hours=1)
    rows_ = [
        ("201", "Rebar 2F", "rebar", "2", now - 3 * d, now - 2 * d, now - 3 * d, now - d, "done",
         "rebar"),
        ("202", "Formwork 2F", "formwork", "2", now - 4 * h, now + 8 * h, now - 2 * h, None,
         "in_progress", "formwork"),
        ("203", "Pour 2F", "pour", "2", now + d, now + d + 6 * h, None, None, "planned",
         "concrete"),
        ("301", "Formwork 3F", "formwork", "3", now - 2 * d, now - d, None, None, "planned",
         "formwork"),
    ]  # fmt: skip
    lines = ["id,name,type,floors,planned_start,planned_finish,actual_start,actual_finish,"
             "status,trade"]  # fmt: skip
    for id_, name, type_, floor, ps, pf, a_s, a_f, status, trade in rows_:
        actual = f"{_local(a_s) if a_s else ''},{_local(a_f) if a_f else ''}"
        lines.append(
            f"{id_},{name},{type_},{floor},{_local(ps)},{_local(pf)},{actual},{status},{trade}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_schedule(settings: Settings, site: str, path: Path) -> None:
    sitepulse(settings, "schedule", "import", str(path), "--site", site)


def env_history(now: datetime) -> list[dict[str, Any]]:
    start = now - READINGS * 5 * MINUTE
    return [
        {
            "ts": int((start + i * 5 * MINUTE).timestamp() * 1000),
            "temp_c": round(15.0 + 0.1 * i, 1),
            "rh_pct": 55,
            "noise_dba": 60,
        }
        for i in range(1, READINGS + 1)
    ]


def publish_floor(settings: Settings, conn: Connection, site: str, now: datetime) -> None:
    """The air sensor's history, two workers on 2F (one of them in the shaft, which the
    rules turn into a major alert) and the crane; the rollups refreshed after."""
    env = env_history(now)
    tags = {
        "tag-0001": in_the_2f_shaft(now - 15 * timedelta(seconds=1)),
        "tag-0002": {"x_m": 8.0, "y_m": 6.0, "floor": 2},
    }
    crane = {"load_t": 2.0, "radius_m": 30.0, "moment_pct": 64.0, "wind_mps": 7.5}
    with running_ingest(settings), running_rules(settings), publisher(settings) as client:
        publish(client, f"site/{site}/env/env-2f-01/telemetry", json.dumps(env))
        publish(client, f"site/{site}/crane/tc-1/telemetry", json.dumps(crane))
        publish(client, f"site/{site}/gateway/gw-01/telemetry", json.dumps(tags))
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM alerts WHERE floor = 2"),
            lambda r: r[0][0] == 1,
            timeout=30,
            what="the hazard-zone alert on 2F",
        )
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM env_readings"),
            lambda r: r[0][0] == READINGS,
            what="the air sensor's readings",
        )
    refresh_rollups(conn, timedelta(minutes=10))


def set_up_floor_two(settings: Settings, conn: Connection, site_id: str, work: Path) -> datetime:
    """2F: tasks around now (the schedule written in `work`), readings, an open alert."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    import_schedule(settings, site_id, write_schedule(work / "schedule.csv", now))
    publish_floor(settings, conn, site_id, now)
    return now


@pytest.fixture
def floor_two(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, tmp_path: Path
) -> datetime:
    return set_up_floor_two(settings, conn, site_id, tmp_path)


def test_a_floor_with_its_tasks_values_series_workers_alerts_and_cranes(
    client: TestClient, keys: Keys, site_id: str, floor_two: datetime
) -> None:
    now = floor_two
    response = client.get(f"/api/v1/sites/{site_id}/floors/2", headers=keys["viewer"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["floor"]["name"], body["floor"]["status"]) == ("2F", "alarm")
    assert body["timezone"] == "Asia/Shanghai"

    tasks = body["tasks"]
    assert [t["id"] for t in tasks["under_way"]] == ["202"]
    forms = tasks["under_way"][0]
    assert (forms["type"], forms["state"], forms["variance_basis"]) == (
        "formwork",
        "under_way",
        "actual",
    )
    assert forms["variance_days"] == 0.1  # started 2 h late: 12 h planned end at +2 h
    assert tasks["next_planned"]["id"] == "203"
    assert tasks["next_planned"]["variance_days"] == 0.0
    assert tasks["last_finished"]["id"] == "201"
    assert tasks["last_finished"]["variance_days"] == 1.0  # finished a day after plan

    metrics = {m["metric"]: m for m in body["metrics"]}
    assert set(metrics) == {"temp_c", "rh_pct", "noise_dba"}  # what the sensor sends
    newest = env_history(now)[-1]
    temp = metrics["temp_c"]
    assert temp["value"] == newest["temp_c"]
    assert datetime.fromisoformat(temp["at"]) == datetime.fromtimestamp(newest["ts"] / 1000, tz=UTC)
    assert (temp["unit"], temp["sensors"]) == ("°C", 1)
    series = temp["series"]
    assert 0 < len(series) <= 288
    assert sum(b["count"] for b in series) == READINGS
    assert series[-1]["max"] == newest["temp_c"]
    noise = metrics["noise_dba"]
    limit = next(lim for lim in noise["limits"] if lim["rule"] == "env.noise")
    local_hour = datetime.now(SHANGHAI).hour
    assert limit["value"] == (70 if 6 <= local_hour < 22 else 55)  # GB 12523 day / night
    assert limit["op"] == ">"

    assert body["workers_by_trade"] == {"formwork": 1, "rebar": 1}
    assert [a["severity"] for a in body["alerts"]] == ["major"]
    assert "f2-shaft" in body["alerts"][0]["message"]
    crane = body["cranes"][0]
    assert crane["id"] == "tc-1"
    assert (crane["latest"]["moment_pct"], crane["latest"]["wind_mps"]) == (64.0, 7.5)


def test_another_floor_shows_only_its_own(
    client: TestClient, keys: Keys, site_id: str, floor_two: datetime
) -> None:
    body = client.get(f"/api/v1/sites/{site_id}/floors/3", headers=keys["viewer"]).json()
    assert body["floor"]["name"] == "3F"
    assert body["tasks"]["under_way"] == []
    assert body["tasks"]["next_planned"]["id"] == "301"
    assert body["tasks"]["next_planned"]["variance_days"] == 2.0  # due two days ago
    assert body["metrics"] == []
    assert (body["workers_by_trade"], body["alerts"]) == ({}, [])


@pytest.mark.usefixtures("loaded_site")
def test_a_floor_the_site_lacks_is_404_naming_it(
    client: TestClient, keys: Keys, site_id: str
) -> None:
    response = client.get(f"/api/v1/sites/{site_id}/floors/9", headers=keys["viewer"])
    assert response.status_code == 404
    assert response.json()["detail"] == f"site {site_id!r} has no floor 9"
    assert client.get("/api/v1/sites/nowhere/floors/2", headers=keys["viewer"]).status_code == 404
    response = client.get(f"/api/v1/sites/{site_id}/floors/500", headers=keys["viewer"])
    assert response.status_code == 422
    assert client.get(f"/api/v1/sites/{site_id}/floors/2").status_code == 401


def test_the_latest_values_are_summarised_as_the_floors_status_does() -> None:
    t1 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    t2 = t1 + MINUTE
    devices = [
        EnvDevice("air-1", t1, {"temp_c": 10.0, "noise_dba": 80.0}),
        EnvDevice("air-2", t2, {"temp_c": 14.0, "noise_dba": 60.0, "pm10_ugm3": None}),
        EnvDevice("probe", t2, {"temp_c": 30.0, "core_temp_c": 41.5}),
    ]
    found = {m["metric"]: m for m in latest_values(devices)}
    assert list(found) == ["temp_c", "surface_temp_c", "noise_dba", "core_temp_c"]
    assert (found["temp_c"]["value"], found["temp_c"]["sensors"]) == (12.0, 2)  # mean, air
    assert found["temp_c"]["at"] == t2
    assert found["surface_temp_c"]["value"] == 30.0  # the probe's temp_c
    assert found["noise_dba"]["value"] == 80.0  # max, as the floor's status takes it
    assert found["core_temp_c"]["value"] == 41.5


def pour_on_3f(settings: Settings, conn: Connection, site: str, tmp_path: Path) -> None:
    """3F's slab poured 12 hours ago (C30), a probe in it at 20 °C every 30 minutes since."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    poured = now - timedelta(hours=12)
    schedule = tmp_path / "pour.csv"
    schedule.write_text(
        "id,name,type,floors,planned_start,planned_finish,actual_start,status,grade\n"
        f"302,Pour 3F,pour,3,{_local(poured)},{_local(poured + timedelta(hours=6))},"
        f"{_local(poured)},in_progress,C30\n",
        encoding="utf-8",
    )
    import_schedule(settings, site, schedule)
    probe = [
        {"ts": int((poured + i * 30 * MINUTE).timestamp() * 1000), "temp_c": 18.0,
         "core_temp_c": 20.0}
        for i in range(25)
    ]  # fmt: skip
    with running_ingest(settings), publisher(settings) as client:
        publish(client, f"site/{site}/env/env-3f-01/telemetry", json.dumps(probe))
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM env_readings"),
            lambda r: r[0][0] == len(probe),
            what="the probe's readings",
        )


def test_a_floor_shows_the_concrete_of_its_pour(
    settings: Settings,
    conn: Connection,
    client: TestClient,
    keys: Keys,
    site_id: str,
    loaded_site: SiteFile,
    tmp_path: Path,
) -> None:
    """The pour's strength, stripping and frost-safe times come with the floor
    (concrete/report.py)."""
    pour_on_3f(settings, conn, site_id, tmp_path)
    body = client.get(f"/api/v1/sites/{site_id}/floors/3", headers=keys["viewer"]).json()
    (pour,) = body["concrete"]
    assert (pour["task"], pour["grade"], pour["probe"]) == ("302", "C30", "env-3f-01")
    # 12 hours at 20 °C over the -10 °C datum (Nurse-Saul)
    assert pour["maturity_degc_h"] == pytest.approx(30 * 12, abs=1)
    assert pour["strength_mpa"] > 0
    assert pour["stripping_at"]["status"] in ("forecast", "not_forecast", "reached")
    assert {m["metric"] for m in body["metrics"]} >= {"core_temp_c", "surface_temp_c"}
