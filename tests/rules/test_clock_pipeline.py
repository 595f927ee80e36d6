"""A crane clock that jumps ahead, through the real pipeline: MQTT -> ingest ->
TimescaleDB -> rules -> alerts (issue 12)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from core.db import Connection
from core.settings import Settings
from sites.site_file import SiteFile
from tests.helpers import publish, rows, running_pipeline, wait_for


def reading(ts: datetime, wind_mps: float) -> str:
    return json.dumps({"ts": int(ts.timestamp() * 1000), "wind_mps": wind_mps})


def test_a_reading_stamped_four_minutes_ahead_does_not_delay_the_wind_alert(
    settings: Settings, conn: Connection, loaded_site: SiteFile, site_id: str
) -> None:
    topic = f"site/{site_id}/crane/tc-1/telemetry"
    stored = "SELECT ts FROM crane_readings WHERE site_id = %s ORDER BY ts"
    alerts = "SELECT rule_id, subject, state FROM alerts WHERE site_id = %s"
    with running_pipeline(settings) as client:
        calm = datetime.now(UTC) - timedelta(seconds=10)
        for i in range(10):
            publish(client, topic, reading(calm + timedelta(seconds=i), 5.0))
        ahead = datetime.now(UTC) + timedelta(minutes=4)
        publish(client, topic, reading(ahead, 5.0))
        wait_for(lambda: rows(conn, stored, site_id), lambda r: len(r) == 11, what="11 readings")
        # then 14 m/s, a reading a second as it is measured: held for 10 s by the 11th
        for _ in range(12):
            publish(client, topic, reading(datetime.now(UTC), 14.0))
            time.sleep(1.0)
        found = wait_for(lambda: rows(conn, alerts, site_id), bool, what="the wind alert")
    assert found == [("crane.wind.stop_lifting", "tc-1", "active")]
    # the fast reading is stored with the ts its clock gave it
    assert rows(conn, stored, site_id)[-1][0] > datetime.now(UTC) + timedelta(minutes=3)
