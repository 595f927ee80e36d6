"""Alerts and rules over HTTP, against the real database, with an alert raised by the real
pipeline (MQTT -> ingest -> rules)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.keys import create_key
from core.db import Connection
from core.settings import Settings
from sites.site_file import SiteFile
from tests.api.conftest import Keys
from tests.helpers import in_the_2f_shaft, publish, rows, running_pipeline, wait_for


@pytest.fixture
def hazard_alert(settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile) -> int:
    """Li Wei stands in the 2F shaft (a hazard zone) for 12 s: a major alert on floor 2."""
    start = datetime.now(UTC) - timedelta(seconds=20)
    shaft = in_the_2f_shaft(start)
    with running_pipeline(settings) as client:
        publish(client, f"site/{site_id}/gateway/gw-01/telemetry", json.dumps({"tag-0001": shaft}))
        found = wait_for(
            lambda: rows(conn, "SELECT id FROM alerts WHERE site_id = %s", site_id),
            bool,
            what="the hazard-zone alert",
        )
    return int(found[0][0])


def test_alerts_list_filter_and_read(
    client: TestClient, keys: Keys, hazard_alert: int, site_id: str
) -> None:
    assert client.get("/api/v1/alerts").status_code == 401
    listed = client.get(f"/api/v1/alerts?site={site_id}&state=active", headers=keys["viewer"])
    assert listed.status_code == 200
    [alert] = listed.json()
    assert alert["id"] == hazard_alert
    assert (alert["rule"], alert["subject"], alert["floor"], alert["zone"]) == (
        "worker.hazard_zone",
        "tag-0001",
        2,
        "f2-shaft",
    )
    assert alert["severity"] == "major"
    assert alert["message"] == "Li Wei (rebar) in hazard zone f2-shaft on 2F"
    none = client.get(f"/api/v1/alerts?site={site_id}&state=resolved", headers=keys["viewer"])
    assert none.json() == []
    other = client.get("/api/v1/alerts?site=nowhere", headers=keys["viewer"])
    assert other.json() == []
    one = client.get(f"/api/v1/alerts/{hazard_alert}", headers=keys["viewer"]).json()
    assert [e["kind"] for e in one["events"]] == ["opened"]
    assert one["events"][0]["actor"] == "rules"


def test_alert_parameters_are_checked_naming_the_field(client: TestClient, keys: Keys) -> None:
    bad = client.get("/api/v1/alerts?state=open-ish", headers=keys["viewer"])
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.state.0"
    assert client.get("/api/v1/alerts?limit=0", headers=keys["viewer"]).status_code == 422
    missing = client.get("/api/v1/alerts/999999", headers=keys["viewer"])
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no alert 999999"


def test_a_viewer_may_not_acknowledge_a_manager_may(
    client: TestClient, keys: Keys, hazard_alert: int, conn: Connection
) -> None:
    url = f"/api/v1/alerts/{hazard_alert}"
    refused = client.post(f"{url}/ack", headers=keys["viewer"])
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this needs the manager role; the key is viewer"
    acked = client.post(f"{url}/ack", headers=keys["manager"], json={"note": "on my way"})
    assert acked.status_code == 200
    body: dict[str, Any] = acked.json()
    assert (body["state"], body["acknowledged_by"]) == ("acknowledged", "key:test manager")
    again = client.post(f"{url}/ack", headers=keys["manager"])
    assert again.json()["state"] == "acknowledged"  # idempotent, no second event
    no_note = client.post(f"{url}/comment", headers=keys["manager"], json={})
    assert no_note.status_code == 422
    client.post(f"{url}/comment", headers=keys["manager"], json={"note": "guard rail fixed"})
    resolved = client.post(f"{url}/resolve", headers=keys["manager"])
    assert resolved.json()["state"] == "resolved"
    late = client.post(f"{url}/ack", headers=keys["manager"])
    assert late.status_code == 409
    assert late.json()["detail"] == f"alert {hazard_alert} is already resolved"
    trail = "SELECT kind, actor, note FROM alert_events WHERE alert_id = %s ORDER BY id"
    events = rows(conn, trail, hazard_alert)
    assert events == [
        ("opened", "rules", "Li Wei (rebar) in hazard zone f2-shaft on 2F"),
        ("acknowledged", "key:test manager", "on my way"),
        ("commented", "key:test manager", "guard rail fixed"),
        ("resolved", "key:test manager", None),
    ]


def test_an_open_major_alert_turns_its_floor_to_alarm(
    client: TestClient, keys: Keys, hazard_alert: int, site_id: str
) -> None:
    floors = {
        f["level"]: f
        for f in client.get(f"/api/v1/sites/{site_id}/floors", headers=keys["viewer"]).json()
    }
    assert (floors[2]["status"], floors[2]["active_alerts"]) == ("alarm", 1)
    assert floors[3]["active_alerts"] == 0
    client.post(f"/api/v1/alerts/{hazard_alert}/resolve", headers=keys["manager"])
    floors = {
        f["level"]: f
        for f in client.get(f"/api/v1/sites/{site_id}/floors", headers=keys["viewer"]).json()
    }
    assert floors[2]["status"] != "alarm"
    assert floors[2]["active_alerts"] == 0
    metrics = client.get("/metrics", headers=keys["viewer"]).text
    assert "# TYPE sitepulse_alerts_open gauge" in metrics


@pytest.mark.usefixtures("loaded_site")
def test_rules_in_force_and_an_admins_override(
    client: TestClient, keys: Keys, site_id: str, conn: Connection
) -> None:
    url = f"/api/v1/sites/{site_id}/rules"
    listed = client.get(url, headers=keys["viewer"]).json()
    wind = next(r for r in listed if r["id"] == "crane.wind.stop_lifting")
    assert wind["rule"]["when"] == {"metric": "wind_mps", "op": ">=", "value": 12.0}
    assert wind["source"].startswith("JGJ 33-2012")
    assert wind["override"] is None
    patch = {"when": {"value": 14.0}, "for": "30s"}
    assert (
        client.put(
            f"{url}/crane.wind.stop_lifting", headers=keys["manager"], json=patch
        ).status_code
        == 403
    )
    bad = client.put(f"{url}/crane.wind.stop_lifting", headers=keys["admin"], json={"for": "soon"})
    assert bad.status_code == 422
    assert "for: 'soon' is not a duration" in bad.json()["detail"]
    assert client.put(f"{url}/no.such.rule", headers=keys["admin"], json=patch).status_code == 404
    put = client.put(f"{url}/crane.wind.stop_lifting", headers=keys["admin"], json=patch)
    assert put.status_code == 200
    assert put.json()["rule"]["when"]["value"] == 14.0
    assert rows(
        conn, "SELECT patch, updated_by FROM rule_overrides WHERE site_id = %s", site_id
    ) == [(patch, "key:test admin")]
    dropped = client.delete(f"{url}/crane.wind.stop_lifting", headers=keys["admin"])
    assert dropped.status_code == 204
    assert rows(conn, "SELECT count(*) FROM rule_overrides") == [(0,)]


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("{device}: wind {value:>999999999}", "message: {value:>999999999}: format"),
        ("{device}: {worker.__class__}", "message: {worker.__class__}: write the field's name"),
    ],
)
@pytest.mark.usefixtures("loaded_site")
def test_an_override_message_format_beyond_the_allowed_is_refused_naming_the_field(
    api_url: str, conn: Connection, site_id: str, message: str, named: str
) -> None:
    _, admin = create_key(conn, "rules admin", "admin")
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{api_url}/api/v1/sites/{site_id}/rules/crane.wind.stop_lifting",
        data=json.dumps({"message": message}).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 422
    detail = json.load(refused.value)["detail"]
    assert detail.startswith("override of crane.wind.stop_lifting is invalid: "), detail
    assert named in detail, detail
    assert rows(conn, "SELECT count(*) FROM rule_overrides") == [(0,)]


@pytest.mark.usefixtures("loaded_site")
def test_an_override_stored_before_a_check_tightened_is_reported_and_the_rest_apply(
    api_url: str, conn: Connection, site_id: str
) -> None:
    # Written straight into the table, as an override accepted by an older version was.
    bad = {"message": "{device}: wind {value:>999999999}"}
    conn.execute(
        "INSERT INTO rule_overrides (site_id, rule_id, patch, updated_by)"
        " VALUES (%s, 'crane.wind.stop_lifting', %s, 'old version'),"
        " (%s, 'crane.moment.alarm', '{\"enabled\": false}', 'old version')",
        (site_id, json.dumps(bad), site_id),
    )
    _, viewer = create_key(conn, "wall", "viewer")
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{api_url}/api/v1/sites/{site_id}/rules", headers={"Authorization": f"Bearer {viewer}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        listed = {rule["id"]: rule for rule in json.load(response)}
    wind = listed["crane.wind.stop_lifting"]
    assert wind["override"] == bad
    assert wind["override_error"].startswith("override of crane.wind.stop_lifting is invalid")
    assert "{value:>999999999}" not in wind["rule"]["message"]  # runs as shipped
    moment = listed["crane.moment.alarm"]
    assert (moment["enabled"], moment["override_error"]) == (False, None)
