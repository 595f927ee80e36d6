"""The HTTP API against the real database, with readings put there by the real ingest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.keys import create_key, revoke_key
from core.db import Connection
from core.settings import Settings
from ingest.writer import mark_offline
from sites.site_file import SiteFile
from tests.api.conftest import Keys
from tests.helpers import publish, publisher, rows, running_ingest, wait_for

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def readings(settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile) -> None:
    env = [
        {
            "ts": int((T0 + timedelta(minutes=i)).timestamp() * 1000),
            "temp_c": 20.0 + i,
            "rh_pct": 50,
        }
        for i in range(5)
    ]
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", json.dumps(env))
        publish(pub, f"site/{site_id}/env/env-3f-01/telemetry", b'{"temp_c": 12.5}')
        tags = {
            "tag-0001": {"x_m": 5, "y_m": 5, "floor": 2},
            "tag-0002": {"x_m": 5, "y_m": 5, "z_m": 5.0},
        }
        publish(pub, f"site/{site_id}/gateway/gw-01/telemetry", json.dumps(tags))
        publish(pub, f"site/{site_id}/env/env-3f-01/telemetry", b'{"temp_c": 99}')
        wait_for(lambda: rows(conn, "SELECT count(*) FROM env_readings"), lambda r: r == [(6,)])
        wait_for(lambda: rows(conn, "SELECT count(*) FROM dead_letters"), lambda r: r == [(1,)])


def test_healthz_needs_no_key(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("header", [None, "Bearer sp_not-a-key", "Basic abc"])
@pytest.mark.usefixtures("loaded_site")
def test_every_route_but_healthz_needs_a_valid_key(
    client: TestClient, site_id: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    for path in (
        "/api/v1/sites",
        f"/api/v1/sites/{site_id}/floors",
        "/api/v1/devices/env-2f-01/readings",
        "/api/v1/deadletters",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["status"] == 401


def test_a_revoked_key_is_refused(client: TestClient, conn: Connection, keys: Keys) -> None:
    key, secret = create_key(conn, "short-lived", "viewer")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/sites", headers=headers).status_code == 200
    assert revoke_key(conn, key.id)
    assert client.get("/api/v1/sites", headers=headers).status_code == 401


def test_floors_show_workers_environment_and_status(
    client: TestClient,
    conn: Connection,
    site_id: str,
    readings: None,
    keys: Keys,
) -> None:
    response = client.get(f"/api/v1/sites/{site_id}/floors", headers=keys["viewer"])
    assert response.status_code == 200
    floors = {f["name"]: f for f in response.json()}
    assert list(floors) == ["3F", "2F", "1F", "B1"]
    assert floors["2F"]["workers_present"] == 2  # one by floor, one by z_m
    assert floors["2F"]["environment"] == {"temp_c": 24.0, "rh_pct": 50.0}  # the newest
    assert floors["3F"]["environment"] == {"temp_c": 12.5}
    assert floors["2F"]["status"] == floors["3F"]["status"] == "ok"
    assert floors["1F"]["status"] == "ok"  # no sensors: nothing says otherwise
    assert floors["2F"]["active_alerts"] == 0
    conn.execute("UPDATE device_state SET last_seen_at = now() - interval '10 minutes'")
    mark_offline(conn, {"env": 300})
    floors = {
        f["name"]: f
        for f in client.get(f"/api/v1/sites/{site_id}/floors", headers=keys["viewer"]).json()
    }
    assert floors["2F"]["status"] == "offline"
    assert floors["2F"]["workers_present"] == 0


def test_an_unknown_site_is_404(client: TestClient, keys: Keys) -> None:
    response = client.get("/api/v1/sites/nowhere/floors", headers=keys["viewer"])
    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]


def test_readings_oldest_first_and_a_page_at_a_time(
    client: TestClient, readings: None, keys: Keys
) -> None:
    params = {"from": "2026-11-23T07:00:00Z", "to": "2026-11-23T09:00:00Z", "limit": "2"}
    page = client.get("/api/v1/devices/env-2f-01/readings", params=params, headers=keys["viewer"])
    assert page.status_code == 200
    body = page.json()
    assert body["kind"] == "env"
    assert body["readings"] == [
        {"ts": "2026-11-23T08:00:00+00:00", "temp_c": 20.0, "rh_pct": 50.0},
        {"ts": "2026-11-23T08:01:00+00:00", "temp_c": 21.0, "rh_pct": 50.0},
    ]
    seen = body["readings"]
    while body["next"]:
        body = client.get(body["next"], headers=keys["viewer"]).json()
        seen += body["readings"]
    assert [r["temp_c"] for r in seen] == [20.0, 21.0, 22.0, 23.0, 24.0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "query.from"),
        ({"from": "2026-11-23T07:00:00"}, "query.from"),  # no offset
        ({"limit": "0"}, "query.limit"),
        ({"limit": "100000"}, "query.limit"),
        ({"from": "2026-01-01T00:00:00Z", "to": "2026-11-23T00:00:00Z"}, "query.from"),
        ({"from": "2026-11-23T09:00:00Z", "to": "2026-11-23T08:00:00Z"}, "query.from"),
    ],
)
@pytest.mark.usefixtures("loaded_site")
def test_bad_parameters_are_422_naming_the_field(
    client: TestClient,
    keys: Keys,
    params: dict[str, str],
    field: str,
) -> None:
    response = client.get(
        "/api/v1/devices/env-2f-01/readings", params=params, headers=keys["viewer"]
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["detail"]


@pytest.mark.usefixtures("loaded_site")
def test_unknown_device_is_404(client: TestClient, keys: Keys) -> None:
    response = client.get("/api/v1/devices/ghost/readings", headers=keys["viewer"])
    assert response.status_code == 404


def test_dead_letters_are_listed_and_only_managers_replay(
    client: TestClient, site_id: str, readings: None, keys: Keys
) -> None:
    listed = client.get("/api/v1/deadletters", params={"site": site_id}, headers=keys["viewer"])
    assert listed.status_code == 200
    [letter] = listed.json()
    assert letter["reason"] == "temp_c=99 above 80"
    assert "payload" not in letter  # lists leave payloads out
    assert letter["size_bytes"] == len(b'{"temp_c": 99}')
    one = client.get(f"/api/v1/deadletters/{letter['id']}", headers=keys["viewer"])
    assert one.status_code == 200
    assert one.json()["payload"] == '{"temp_c": 99}'
    assert one.json()["payload_base64"] == "eyJ0ZW1wX2MiOiA5OX0="
    missing = client.get("/api/v1/deadletters/999999", headers=keys["viewer"])
    assert missing.status_code == 404
    denied = client.post("/api/v1/deadletters/replay", headers=keys["viewer"])
    assert denied.status_code == 403
    assert "manager" in denied.json()["detail"]
    done = client.post("/api/v1/deadletters/replay", headers=keys["manager"])
    assert done.status_code == 200
    assert done.json() == {
        "replayed": 0,
        "still_failing": 1,
        "readings_stored": 0,
        "failures": [],
    }


@pytest.mark.usefixtures("loaded_site")
def test_metrics_gather_every_service_and_the_devices(
    client: TestClient, settings: Settings, site_id: str, keys: Keys
) -> None:
    assert client.get("/metrics").status_code == 401
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 20}')
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 200}')

        def scrape() -> str:
            return client.get("/metrics", headers=keys["viewer"]).text

        instance = settings.ingest_client_id
        text = wait_for(
            scrape,
            lambda t: f'sitepulse_ingest_stored_total{{instance="{instance}"}} 1' in t,
            what="ingest's counters in /metrics",
        )
    assert "# TYPE sitepulse_ingest_stored_total counter" in text
    assert f'sitepulse_ingest_dead_letters_total{{instance="{instance}"}} 1' in text
    assert f'sitepulse_dead_letters_pending{{site="{site_id}"}} 1' in text
    assert f'sitepulse_devices{{site="{site_id}",kind="env",state="online"}} 1' in text
    assert f'sitepulse_devices{{site="{site_id}",kind="env",state="unknown"}} 2' in text


@pytest.mark.usefixtures("loaded_site")
def test_labour_hours_count_the_time_a_tag_was_heard_on_the_site_day(
    client: TestClient, settings: Settings, conn: Connection, site_id: str, keys: Keys
) -> None:
    # Shanghai 08:00-10:00 (00:00-02:00 UTC) every 10 s, then 11:00-11:30 after a break.
    def batch(start: datetime, minutes: int) -> str:
        span = range(0, minutes * 60, 10)
        readings = [
            {"ts": int((start + timedelta(seconds=s)).timestamp() * 1000), "x_m": 1.0, "y_m": 1.0}
            for s in span
        ]
        return json.dumps({"tag-0001": readings})

    with running_ingest(settings), publisher(settings) as pub:
        topic = f"site/{site_id}/gateway/gw-01/telemetry"
        publish(pub, topic, batch(datetime(2026, 11, 23, 0, 0, tzinfo=UTC), 120))
        publish(pub, topic, batch(datetime(2026, 11, 23, 3, 0, tzinfo=UTC), 30))
        wait_for(lambda: rows(conn, "SELECT count(*) FROM tag_readings"), lambda r: r == [(900,)])
    response = client.get(
        f"/api/v1/sites/{site_id}/labor", params={"day": "2026-11-23"}, headers=keys["viewer"]
    )
    assert response.status_code == 200
    body = response.json()
    assert [(w["worker"], w["hours"]) for w in body["workers"]] == [("w-0001", 2.5)]
    assert body["hours_by_trade"] == {"rebar": 2.5}
    other_day = client.get(
        f"/api/v1/sites/{site_id}/labor", params={"day": "2026-11-22"}, headers=keys["viewer"]
    ).json()
    assert other_day["workers"] == []
    bad = client.get(
        f"/api/v1/sites/{site_id}/labor", params={"day": "23/11"}, headers=keys["viewer"]
    )
    assert bad.status_code == 422
    assert "query.day" in bad.json()["detail"]
