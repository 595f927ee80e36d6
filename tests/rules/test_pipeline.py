"""Scenarios through the real pipeline: MQTT -> ingest -> TimescaleDB -> rules -> alerts."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import Connection
from core.settings import Settings
from tests.helpers import (
    in_the_2f_shaft,
    publish,
    publisher,
    rows,
    running_ingest,
    running_pipeline,
    running_rules,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("loaded_site")


@pytest.fixture
def crane_topic(site_id: str) -> str:
    return f"site/{site_id}/crane/tc-1/telemetry"


def readings(start: datetime, values: list[float], key: str = "wind_mps") -> str:
    """One reading a second from `start`."""
    return json.dumps(
        [
            {"ts": int((start + timedelta(seconds=i)).timestamp() * 1000), key: v}
            for i, v in enumerate(values)
        ]
    )


def alerts(conn: Connection, site: str) -> list[tuple[Any, ...]]:
    return rows(
        conn,
        "SELECT id, rule_id, subject, state, raised, value FROM alerts WHERE site_id = %s"
        " ORDER BY id",
        site,
    )


def events(conn: Connection, alert: int) -> list[str]:
    return [
        k
        for (k,) in rows(
            conn, "SELECT kind FROM alert_events WHERE alert_id = %s ORDER BY id", alert
        )
    ]


def test_wind_raises_one_alert_and_clears_after_the_clear_duration(
    settings: Settings, conn: Connection, site_id: str, crane_topic: str
) -> None:
    start = datetime.now(UTC) - timedelta(seconds=90)
    with running_pipeline(settings) as client:
        # 9 s over the limit: not yet held for 10 s
        publish(client, crane_topic, readings(start, [13.0] * 10))
        time.sleep(1.0)
        assert alerts(conn, site_id) == []
        # the 11th second over the limit: held for 10 s
        publish(client, crane_topic, readings(start + timedelta(seconds=10), [13.5, 14.0, 13.0]))
        found = wait_for(lambda: alerts(conn, site_id), bool, what="the wind alert")
        [(alert, rule, subject, state, raised, _)] = found
        assert (rule, subject, state, raised) == ("crane.wind.stop_lifting", "tc-1", "active", 1)
        # below the clear threshold, but only 30 s: still open
        publish(client, crane_topic, readings(start + timedelta(seconds=13), [10.0] * 30))
        time.sleep(1.0)
        assert alerts(conn, site_id)[0][3] == "active"
        # 61 s below 10.8: resolved
        publish(client, crane_topic, readings(start + timedelta(seconds=43), [10.0] * 31))
        wait_for(lambda: alerts(conn, site_id)[0][3], lambda s: s == "resolved", what="resolve")
    [(_, _, _, _, _, value)] = alerts(conn, site_id)
    assert value == 13.0  # the last breaching value
    assert rows(conn, "SELECT worst_value, breaches FROM alerts WHERE id = %s", alert) == [
        (14.0, 3)
    ]
    assert events(conn, alert) == ["opened", "resolved"]
    [(actor, note)] = rows(
        conn,
        "SELECT actor, note FROM alert_events WHERE alert_id = %s AND kind = 'resolved'",
        alert,
    )
    assert (actor, note) == ("rules", "clear condition held for 60 s")


def test_wind_oscillating_around_the_limit_raises_nothing(
    settings: Settings, conn: Connection, site_id: str, crane_topic: str
) -> None:
    start = datetime.now(UTC) - timedelta(seconds=150)
    values = [12.5 if (i // 3) % 2 == 0 else 11.5 for i in range(150)]
    with running_pipeline(settings) as client:
        for chunk in range(0, 150, 10):
            publish(
                client,
                crane_topic,
                readings(start + timedelta(seconds=chunk), values[chunk : chunk + 10]),
            )
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM crane_readings WHERE site_id = %s", site_id),
            lambda r: r[0][0] == 150,
            what="all readings stored",
        )
        time.sleep(1.0)
    assert alerts(conn, site_id) == []


def test_a_flapping_condition_reopens_the_same_alert(
    settings: Settings, conn: Connection, site_id: str, crane_topic: str
) -> None:
    start = datetime.now(UTC) - timedelta(seconds=60)
    with running_pipeline(settings) as client:
        for i, moment in enumerate(
            [105.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 110.0]
        ):
            publish(
                client, crane_topic, readings(start + timedelta(seconds=i), [moment], "moment_pct")
            )
            time.sleep(0.05)
        wait_for(
            lambda: [a[4] for a in alerts(conn, site_id) if a[1] == "crane.moment.alarm"],
            lambda r: r == [2],
            what="one alarm raised twice",
        )
    [alarm] = [a for a in alerts(conn, site_id) if a[1] == "crane.moment.alarm"]
    assert events(conn, alarm[0]) == ["opened", "resolved", "reopened"]
    assert alarm[3] == "active"


def test_gateway_death_is_one_alert_not_a_storm(
    settings: Settings, conn: Connection, site_id: str
) -> None:
    with running_pipeline(settings) as client:
        devices = [
            ("gw-01", "gateway"),
            ("env-1f-gw", "env"),
            ("tag-0001", "tag"),
            ("tag-0002", "tag"),
            ("env-3f-01", "env"),
        ]
        for device, kind in devices:
            publish(client, f"site/{site_id}/{kind}/{device}/status", "online")
        online = "SELECT count(*) FROM device_state WHERE online AND site_id = %s"
        wait_for(lambda: rows(conn, online, site_id), lambda r: r[0][0] == 5, what="all online")
        # the gateway drops (its Last Will), the sensor and tags behind it fall silent; and
        # one sensor of its own, not behind the gateway
        for device, kind in devices:
            publish(client, f"site/{site_id}/{kind}/{device}/status", "offline")
        wait_for(
            lambda: {a[2] for a in alerts(conn, site_id)},
            lambda s: s == {"gw-01", "env-3f-01"},
            what="offline alerts",
        )
        time.sleep(2.5)  # a few more ticks: still no alert for what is behind the gateway
        assert {a[2] for a in alerts(conn, site_id)} == {"gw-01", "env-3f-01"}
        [message] = rows(
            conn, "SELECT message FROM alerts WHERE site_id = %s AND subject = 'gw-01'", site_id
        )[0]
        assert "the 3 devices behind it are not heard either" in message
        publish(client, f"site/{site_id}/gateway/gw-01/status", "online")
        wait_for(
            lambda: [a[3] for a in alerts(conn, site_id) if a[2] == "gw-01"],
            lambda s: s == ["resolved"],
            what="gateway back online",
        )


def test_a_worker_in_a_hazard_zone_and_sos(
    settings: Settings, conn: Connection, site_id: str
) -> None:
    topic = f"site/{site_id}/gateway/gw-01/telemetry"
    start = datetime.now(UTC) - timedelta(seconds=30)
    # tag-0001 stands in the shaft on 2F (a hazard zone) for 12 s; tag-0002 presses SOS
    shaft = in_the_2f_shaft(start, every_s=2)
    sos = [{"ts": int(start.timestamp() * 1000), "x_m": 8.0, "y_m": 6.0, "floor": 2, "sos": True}]
    with running_pipeline(settings) as client:
        publish(client, topic, json.dumps({"tag-0001": shaft, "tag-0002": sos}))
        found = wait_for(
            lambda: {a[1]: a for a in alerts(conn, site_id)},
            lambda a: {"worker.hazard_zone", "worker.sos"} <= set(a),
            what="hazard and SOS alerts",
        )
    assert found["worker.hazard_zone"][2] == "tag-0001"
    assert found["worker.sos"][2] == "tag-0002"
    [(message,)] = rows(
        conn, "SELECT message FROM alerts WHERE id = %s", found["worker.hazard_zone"][0]
    )
    assert message == "Li Wei (rebar) in hazard zone f2-shaft on 2F"


def test_a_site_override_applies_without_a_restart(
    settings: Settings, conn: Connection, site_id: str, crane_topic: str
) -> None:
    start = datetime.now(UTC) - timedelta(seconds=60)
    with (
        running_ingest(settings),
        running_rules(settings) as service,
        publisher(settings) as client,
    ):
        conn.execute(
            "INSERT INTO rule_overrides (site_id, rule_id, patch, updated_by)"
            " VALUES (%s, 'crane.wind.stop_lifting', %s, 'test')",
            (site_id, json.dumps({"when": {"value": 20.0}, "for": "0s"})),
        )
        wait_for(
            lambda: service.sites.engines[site_id].rules["crane.wind.stop_lifting"].when,
            lambda w: w is not None and w.value == 20.0,
            what="the override in force",
        )
        publish(client, crane_topic, readings(start, [15.0] * 12))
        time.sleep(1.0)
        assert alerts(conn, site_id) == []
        publish(client, crane_topic, readings(start + timedelta(seconds=12), [21.0]))
        [(alert, *_)] = wait_for(lambda: alerts(conn, site_id), bool, what="the site's alert")
        # switched off for the site: its open alert is resolved, saying why
        conn.execute(
            "UPDATE rule_overrides SET patch = %s, updated_at = now() WHERE site_id = %s",
            (json.dumps({"enabled": False}), site_id),
        )
        wait_for(lambda: alerts(conn, site_id)[0][3], lambda s: s == "resolved", what="retired")
    [(note,)] = rows(
        conn, "SELECT note FROM alert_events WHERE alert_id = %s AND kind = 'resolved'", alert
    )
    assert note == "rule crane.wind.stop_lifting is no longer in force here"
