"""GET /api/v1/sites/{site}/cranes/{crane}/lifts: lifts recorded through the pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from time import sleep
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.site_status import crane_states
from core.db import Connection
from core.settings import Settings
from records.lifts_store import record_lifts
from sites.site_file import SiteFile
from tests.api.conftest import Keys
from tests.helpers import publisher, rows, running_ingest, running_pipeline
from tests.records.lift_readings import a_lift, crane_reading, publish_readings, wait_stored


def test_a_cranes_lifts_and_their_days(
    settings: Settings,
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    client: TestClient,
    keys: Keys,
) -> None:
    # Two lifts on one of the site's days (Asia/Shanghai) and one on the next; the
    # second lifts 3.9 t to 30 m, past 90 % of the rated moment there (4 t).
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).date()
    day = datetime.combine(three_days_ago, time(1), UTC)  # 09:00 at the site
    readings = (
        a_lift(loaded_site, day, 3.2, loaded_s=80)
        + a_lift(loaded_site, day + timedelta(hours=1), 3.9, loaded_s=100)
        + a_lift(loaded_site, day + timedelta(days=1), 2.0, loaded_s=60)
    )
    with running_ingest(settings), publisher(settings) as mqtt:
        publish_readings(mqtt, site_id, readings)
        wait_stored(conn, site_id, len(readings))
    record_lifts(conn, settings)

    url = f"/api/v1/sites/{site_id}/cranes/tc-1/lifts"
    span = {
        "from": (day - timedelta(hours=1)).isoformat(),
        "to": (day + timedelta(days=2)).isoformat(),
    }
    answer = client.get(url, params=span, headers=keys["viewer"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["from"] == span["from"].replace("+00:00", "Z")
    assert [lift["duration_s"] for lift in body["lifts"]] == [80.0, 100.0, 60.0]
    first = body["lifts"][0]
    assert first["max_load_t"] == pytest.approx(3.22)
    assert first["max_moment_pct"] == pytest.approx(80.5)
    assert first["pick"] == {"radius_m": 20.0, "slew_deg": 45.0, "height_m": 1.0, "floor": 1}
    assert first["set_down"] == {"radius_m": 30.0, "slew_deg": 120.0, "height_m": 9.5, "floor": 3}
    assert first["alerts"] == []
    [today, tomorrow] = body["days"]
    local = (day + timedelta(hours=8)).date()
    assert today["day"] == local.isoformat()
    assert today["lifts"] == 2
    assert today["tonnes"] == pytest.approx(3.22 + 3.92)
    assert today["hours_loaded"] == pytest.approx(180 / 3600)
    assert today["max_moment_pct"] == pytest.approx(98.0)
    assert today["lifts_over_90_pct"] == 1
    assert tomorrow["day"] == (local + timedelta(days=1)).isoformat()
    assert tomorrow["lifts"] == 1
    assert tomorrow["lifts_over_90_pct"] == 0


def test_refusals(client: TestClient, site_id: str, loaded_site: SiteFile, keys: Keys) -> None:
    url = f"/api/v1/sites/{site_id}/cranes/tc-1/lifts"
    assert client.get(url).status_code == 401
    missing = client.get(f"/api/v1/sites/{site_id}/cranes/tc-9/lifts", headers=keys["viewer"])
    assert missing.status_code == 404
    assert "tc-9" in missing.json()["detail"]
    wide = client.get(
        url,
        params={"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        headers=keys["viewer"],
    )
    assert wide.status_code == 422
    assert "query.from" in wide.json()["detail"]
    naive = client.get(url, params={"from": "2026-01-01T00:00:00"}, headers=keys["viewer"])
    assert naive.status_code == 422


def test_the_crane_read_model_counts_todays_lifts(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    """What the board's crane tiles read (api/site_status.py): lifts begun since the
    site's midnight; yesterday's not counted."""
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(seconds=150)
    midnight = datetime.combine(
        now.astimezone(ZoneInfo("Asia/Shanghai")).date(), time(0), ZoneInfo("Asia/Shanghai")
    )
    readings = a_lift(loaded_site, midnight - timedelta(hours=3), 2.0, loaded_s=60) + a_lift(
        loaded_site, start, 2.5, loaded_s=60
    )
    with running_ingest(settings), publisher(settings) as mqtt:
        publish_readings(mqtt, site_id, readings)
        wait_stored(conn, site_id, len(readings))
    record_lifts(conn, settings)

    [crane] = crane_states(conn, site_id)
    # the second lift begins 20 s into its readings: today, unless those 130 s crossed midnight
    assert crane.lifts_today == (1 if start + timedelta(seconds=20) >= midnight else 0)
    assert len(rows(conn, "SELECT 1 FROM crane_lifts WHERE site_id = %s", site_id)) == 2


def test_an_alarm_raised_during_a_lift_is_the_lifts(
    settings: Settings,
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    client: TestClient,
    keys: Keys,
) -> None:
    """Published live, a reading a second: 4.3 t at 30 m is 107.5 % of the rated moment,
    and the rules raise the moment alarm while the load is on the hook."""
    with running_pipeline(settings) as mqtt:
        for i in range(20):
            load = 4.3 if 3 <= i < 15 else 0.0
            reading = crane_reading(loaded_site, datetime.now(UTC), load, 30.0, 90.0, 12.0, 4.0)
            publish_readings(mqtt, site_id, [reading])
            sleep(1.0)  # live: the rules judge each reading as it comes
        wait_stored(conn, site_id, 20)
    record_lifts(conn, settings)

    answer = client.get(f"/api/v1/sites/{site_id}/cranes/tc-1/lifts", headers=keys["viewer"])
    [lift] = answer.json()["lifts"]
    assert lift["max_moment_pct"] == pytest.approx(107.5)
    assert [(a["rule_id"], a["severity"]) for a in lift["alerts"]] == [
        ("crane.moment.alarm", "critical")
    ]
