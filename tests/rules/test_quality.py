"""Task quality through the real pipeline: a schedule imported, readings published over
MQTT, judged by the rules service against the task's specs, recorded on the task."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
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
from tests.helpers import publish, publisher, rows, running_ingest, running_rules, wait_for

TZ = ZoneInfo("Asia/Shanghai")


def import_csv(conn: Connection, site: str, tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "schedule.csv"
    path.write_text("id,name,type,floors,planned_start,planned_finish\n" + "\n".join(lines) + "\n")
    apply_schedule(conn, site, read_schedule(path, site_frame(conn, site), Mapping()))


def local(ts: datetime) -> str:
    return ts.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_cold_pour_is_an_excursion_of_the_pour_not_of_the_floor_above(
    settings: Settings,
    conn: Connection,
    loaded_site: SiteFile,
    site_id: str,
    tmp_path: Path,
    client: TestClient,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start, finish = local(now - timedelta(hours=1)), local(now + timedelta(hours=5))
    import_csv(conn, site_id, tmp_path, [f"POUR-2,2F slab pour,pour,2,{start},{finish}"])
    # 13.5 minutes of readings, all in the past (a reading stamped ahead of its arrival is
    # judged at its arrival), within a rules horizon widened to hold them.
    t0 = now - timedelta(minutes=14)
    settings = settings.model_copy(update={"rules_horizon_s": 1200})
    # 3 °C for 8 minutes, then 8 °C for 5.5 minutes; the core 27 °C above the surface
    cold = [
        {"ts": ms(t0 + timedelta(seconds=30 * i)), "temp_c": 3.0, "core_temp_c": 30.0}
        for i in range(16)
    ]
    warm = [
        {"ts": ms(t0 + timedelta(minutes=8, seconds=30 * i)), "temp_c": 8.0, "core_temp_c": 35.0}
        for i in range(12)
    ]
    with running_ingest(settings), running_rules(settings), publisher(settings) as mqtt:
        publish(mqtt, f"site/{site_id}/env/env-2f-01/telemetry", json.dumps(cold))
        publish(mqtt, f"site/{site_id}/env/env-3f-01/telemetry", json.dumps(cold))  # no pour on 3F
        found = wait_for(
            lambda: rows(conn, "SELECT rule_id, subject, task_id, floor FROM alerts ORDER BY id"),
            lambda r: len(r) >= 1,
            what="the cold-pour alert",
        )
        assert found == [("quality.pour.cold", "POUR-2/env-2f-01", "POUR-2", 2)]
        publish(mqtt, f"site/{site_id}/env/env-2f-01/telemetry", json.dumps(warm))
        excursions = (
            "SELECT rule_id, device_id, started_at, ended_at, worst_value"
            " FROM task_excursions ORDER BY id"
        )
        done = wait_for(
            lambda: rows(conn, excursions),
            lambda r: len(r) == 2 and all(x[3] for x in r if x[0] == "quality.pour.cold"),
            what="the cold excursion ended and the core-surface one begun",
        )
    by_rule = {x[0]: x for x in done}
    cold_x = by_rule["quality.pour.cold"]
    assert cold_x[1] == "env-2f-01"
    assert cold_x[2] == t0  # when it began to hold, not when the alert was raised
    assert cold_x[3] == t0 + timedelta(minutes=8)  # the first warm reading
    assert cold_x[4] == 3.0
    core_x = by_rule["quality.mass.core_surface"]
    assert (core_x[2], core_x[3], core_x[4]) == (t0, None, 27.0)
    assert rows(conn, "SELECT count(*) FROM alerts WHERE floor = 3") == [(0,)]

    _, key = create_key(conn, "technical lead", "viewer")
    task = client.get(
        f"/api/v1/tasks/POUR-2?site={site_id}", headers={"Authorization": f"Bearer {key}"}
    )
    assert task.status_code == 200
    quality: dict[str, Any] = task.json()["quality"]
    cold_record = next(x for x in quality["excursions"] if x["rule"] == "quality.pour.cold")
    assert cold_record["duration_s"] == 480.0
    spec = {s["rule"]: s for s in quality["specs"]}
    assert set(spec) >= {"quality.pour.cold", "quality.pour.hot", "quality.mass.core_surface"}
    # 8 minutes out of spec, then in spec until now: a share strictly between 0 and 1/2
    assert 0.0 < spec["quality.pour.cold"]["in_spec_share"] < 0.5
    assert spec["quality.pour.hot"]["in_spec_share"] == 1.0
    assert spec["quality.mass.core_surface"]["in_spec_share"] == 0.0
    assert {a["rule"] for a in quality["alerts"]} == {
        "quality.pour.cold",
        "quality.mass.core_surface",
    }
    page = client.get(f"/api/v1/sites/{site_id}/tasks/POUR-2/quality.html?key={key}")
    assert page.status_code == 200
    assert "Concrete placed too cold" in page.text
    assert "GB 50666-2011 §8.1.2" in page.text
    assert "8 min" in page.text


def test_days_of_falling_temperatures_enter_and_leave_the_winter_regime(
    settings: Settings, conn: Connection, loaded_site: SiteFile, site_id: str
) -> None:
    today = datetime.now(TZ).date()
    # 18 whole days up to yesterday: 3 mild, 5 cold (winter from the 5th), 5 mild (over on
    # the 5th), 5 cold again (winter from yesterday, so now)
    means = [8.0] * 3 + [3.0] * 5 + [8.0] * 5 + [3.0] * 5
    first = today - timedelta(days=len(means))
    readings = [
        {
            "ts": ms(
                datetime.combine(first + timedelta(days=d), datetime.min.time(), TZ)
                + timedelta(hours=h, minutes=30)
            ),
            "temp_c": mean + (1.0 if h % 2 else -1.0),
        }
        for d, mean in enumerate(means)
        for h in range(24)
    ]
    with running_ingest(settings), publisher(settings) as mqtt:
        publish(mqtt, f"site/{site_id}/env/env-3f-01/telemetry", json.dumps(readings))
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM env_readings"),
            lambda r: r[0][0] == len(readings),
            what="18 days stored",
        )
    with running_rules(settings):
        found = wait_for(
            lambda: rows(
                conn, "SELECT regime, started_on, ended_on FROM site_regimes ORDER BY started_on"
            ),
            lambda r: len(r) == 2,
            what="the regimes",
        )
        wait_for(
            lambda: rows(conn, "SELECT rule_id, subject, state FROM alerts"),
            lambda r: r == [("quality.winter_regime", site_id, "active")],
            what="the winter alert",
        )
    day: list[date] = [first + timedelta(days=i) for i in range(len(means))]
    assert found == [("winter", day[7], day[12]), ("winter", day[17], None)]
