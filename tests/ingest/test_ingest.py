"""Ingest against the real broker and database: values, floors, zones, dead letters,
duplicates, device state, registry refresh, replay, presence."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from hashlib import sha256

import pytest

from core.db import Connection
from core.settings import Settings
from ingest.dead_letters import get_dead_letter, list_dead_letters, replay_dead_letters
from ingest.writer import mark_offline
from sites.site_file import SiteFile, parse_site_file
from sites.store import apply_site
from tests.helpers import publish, publisher, rows, running_ingest, site_yaml, wait_for

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def count(conn: Connection, table: str) -> int:
    return int(rows(conn, f"SELECT count(*) FROM {table}")[0][0])


def test_each_kind_in_each_form_is_stored_with_its_values_floor_and_zone(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    s = f"site/{site_id}"
    with running_ingest(settings), publisher(settings) as pub:
        publish(
            pub,
            f"{s}/crane/tc-1/telemetry",
            json.dumps(
                {
                    "ts": ms(T0),
                    "seq": 7,
                    "load_t": 3.2,
                    "radius_m": 41.5,
                    "height_m": 60.0,
                    "slew_deg": 359.9,
                    "moment_pct": 71.0,
                    "wind_mps": 9.4,
                    "tilt_deg": 0.3,
                }
            ),
        )
        publish(
            pub,
            f"{s}/env/env-2f-01/telemetry",
            json.dumps(
                [
                    {"ts": "2026-11-23T16:00:00+08:00", "temp_c": 21.5, "rh_pct": 60},
                    {
                        "ts": ms(T0 + timedelta(seconds=10)),
                        "pm25_ugm3": 35,
                        "noise_dba": 72.5,
                        "core_temp_c": 48.0,
                        "pm10_ugm3": 80,
                    },
                ]
            ),
        )
        publish(
            pub,
            f"{s}/gateway/gw-01/telemetry",
            json.dumps(
                {
                    "tag-0001": [
                        {"ts": ms(T0), "x_m": 3.0, "y_m": 3.0, "floor": 2, "battery_pct": 80},
                        {"ts": ms(T0 + timedelta(seconds=1)), "x_m": 8.0, "y_m": 6.0, "z_m": 5.9},
                    ],
                    "tag-0002": {"ts": ms(T0), "x_m": 20.0, "y_m": 10.0, "z_m": 9.6, "sos": True},
                }
            ),
        )
        publish(pub, f"{s}/tag/tag-0003/telemetry", json.dumps({"x_m": 1.0, "y_m": 2.0}))  # no ts
        wait_for(lambda: count(conn, "tag_readings"), lambda n: n == 4, what="4 tag readings")
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 2, what="2 env readings")

    assert rows(
        conn,
        "SELECT ts, seq, load_t, radius_m, height_m, slew_deg, moment_pct, wind_mps,"
        " tilt_deg, floor, zone, ts_from_receive FROM crane_readings",
    ) == [(T0, 7, 3.2, 41.5, 60.0, 359.9, 71.0, 9.4, 0.3, None, None, False)]
    assert rows(
        conn,
        "SELECT ts, temp_c, rh_pct, pm25_ugm3, pm10_ugm3, noise_dba, core_temp_c,"
        " floor, zone FROM env_readings ORDER BY ts",
    ) == [
        (T0, 21.5, 60.0, None, None, None, None, 2, "f2-core"),
        (T0 + timedelta(seconds=10), None, None, 35.0, 80.0, 72.5, 48.0, 2, "f2-core"),
    ]
    tags = rows(
        conn,
        "SELECT device_id, x_m, y_m, z_m, battery_pct, sos, floor, zone,"
        " ts_from_receive FROM tag_readings ORDER BY device_id, ts",
    )
    assert tags == [
        ("tag-0001", 3.0, 3.0, None, 80.0, None, 2, "f2-shaft", False),  # hazard zone first
        ("tag-0001", 8.0, 6.0, 5.9, None, None, 2, "f2-core", False),  # floor from z_m
        ("tag-0002", 20.0, 10.0, 9.6, None, True, 3, "f3-east", False),
        ("tag-0003", 1.0, 2.0, None, None, None, None, None, True),  # receive time stood in
    ]
    assert count(conn, "dead_letters") == 0
    state = dict(rows(conn, "SELECT device_id, online FROM device_state"))
    seen = ("tc-1", "env-2f-01", "gw-01", "tag-0001", "tag-0002", "tag-0003")
    assert state == dict.fromkeys(seen, True)


BAD = [
    ("env/env-2f-01", b"\xff\xfe{", "", "not UTF-8"),
    ("env/env-2f-01", b"{temp_c: 1}", "", "not JSON"),
    ("env/env-2f-01", b'"hello"', "", "must be a JSON object, not a string"),
    ("env/env-2f-01", b'{"temp_c": NaN}', "", "NaN is not a JSON number"),
    ("env/env-2f-01", b"[]", "", "empty batch"),
    ("bulldozer/env-2f-01", b'{"temp_c": 1}', "", "unknown kind 'bulldozer'"),
    ("env/env-2f-01", b'{"temp_c": 1, "wind_mps": 3}', "", "unknown key 'wind_mps' for kind env"),
    ("crane/tc-1", b'{"wind_mps": 95.0}', "", "wind_mps=95.0 above 80"),
    ("env/env-2f-01", b'{"temp_c": "hot"}', "", "temp_c='hot' is a string, expected a number"),
    ("env/env-2f-01", b'{"ts": "yesterday", "temp_c": 1}', "", "not an RFC 3339 time"),
    ("env/env-2f-01", b'{"ts": 4102444800000, "temp_c": 1}', "", "ahead of the receive time"),
    ("env/env-2f-01", b'{"ts": 1763884800, "temp_c": 1}', "", "seconds sent?"),
    ("env/env-2f-01", b'{"ts": 1763884800000}', "", "no measurement key"),
    ("env/env-9999", b'{"temp_c": 1}', "", "unknown device env-9999"),
    ("tag/env-2f-01", b'{"x_m": 1, "y_m": 1}', "", "env-2f-01 is a device of kind env, not tag"),
    (
        "gateway/gw-02",
        b'{"tag-0001": {"x_m": 1, "y_m": 1}}',
        "tag-0001",
        "tag-0001 is not a child of gw-02",
    ),
    ("gateway/gw-01", b'{"tag-9999": {"x_m": 1, "y_m": 1}}', "tag-9999", "unknown device tag-9999"),
    ("gateway/gw-01", b"[1, 2]", "", "a gateway payload must be a non-empty object"),
]


def test_every_bad_message_class_is_one_dead_letter_and_good_readings_beside_it_are_stored(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    mixed = json.dumps(
        [
            {"ts": ms(T0), "temp_c": 20.0},
            {"ts": ms(T0) + 1000, "temp_c": 200.0},
            {"ts": ms(T0) + 2000, "temp_c": 22.0},
        ]
    ).encode()
    with running_ingest(settings) as service, publisher(settings) as pub:
        for path, payload, _, _ in BAD:
            publish(pub, f"site/{site_id}/{path}/telemetry", payload)
        publish(pub, f"site/{site_id}/env/env-3f-01/telemetry", mixed)
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 19.5}')  # still alive
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 3, what="the good readings")
        wait_for(lambda: count(conn, "dead_letters"), lambda n: n == len(BAD) + 1)
        assert service.counters.dead_letters == len(BAD) + 1

    letters = {(d.topic, d.payload_sha256, d.item): d for d in list_dead_letters(conn, limit=100)}
    for path, payload, item, reason in BAD:
        letter = letters[(f"site/{site_id}/{path}/telemetry", sha256(payload).digest(), item)]
        assert reason in letter.reason, (path, payload, letter.reason)
        assert letter.site_id == site_id
        kept = get_dead_letter(conn, letter.id)
        assert kept is not None
        assert kept.payload == payload
        assert (kept.size_bytes, kept.truncated) == (len(payload), False)
    mixed_key = (f"site/{site_id}/env/env-3f-01/telemetry", sha256(mixed).digest(), "[1]")
    mixed_letter = letters[mixed_key]
    assert mixed_letter.reason == "temp_c=200.0 above 80"
    stored = rows(conn, "SELECT temp_c FROM env_readings WHERE device_id = 'env-3f-01' ORDER BY ts")
    assert stored == [(20.0,), (22.0,)]


def test_a_message_published_twice_is_stored_once(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    message = json.dumps([{"ts": ms(T0) + i, "temp_c": 20 + i / 10} for i in range(50)])
    bad = b'{"temp_c": 999}'
    with running_ingest(settings), publisher(settings) as pub:
        for _ in range(3):
            publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", message)
            publish(pub, f"site/{site_id}/env/env-3f-01/telemetry", bad)
        wait_for(lambda: rows(conn, "SELECT repeats FROM dead_letters"), lambda r: r == [(3,)])
    assert count(conn, "env_readings") == 50
    assert count(conn, "dead_letters") == 1


def test_device_state_keeps_the_reading_with_the_greatest_ts(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    topic = f"site/{site_id}/env/env-2f-01/telemetry"
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, topic, json.dumps({"ts": ms(T0) + 60_000, "temp_c": 25.0, "rh_pct": 50}))
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 1)
        publish(pub, topic, json.dumps([{"ts": ms(T0), "temp_c": 10.0, "rh_pct": 90}]))  # late
        publish(pub, topic, json.dumps({"ts": ms(T0) + 30_000, "temp_c": 15.0}))  # late too
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 3)
    state = rows(conn, "SELECT last_ts, latest FROM device_state WHERE device_id = 'env-2f-01'")
    assert state == [(T0 + timedelta(seconds=60), {"temp_c": 25.0, "rh_pct": 50})]


def test_a_registered_device_is_seen_without_restart_and_its_dead_letters_replay(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    topic = f"site/{site_id}/env/env-new/telemetry"
    first = json.dumps([{"ts": ms(T0), "temp_c": 1.0}, {"ts": ms(T0) + 1, "temp_c": 2.0}])
    with running_ingest(settings) as service, publisher(settings) as pub:
        publish(pub, topic, first)
        publish(pub, topic, json.dumps({"temp_c": 3.0}))  # no ts: receive time stands in
        wait_for(lambda: count(conn, "dead_letters"), lambda n: n == 2)
        text = site_yaml(site_id).replace(
            "devices:\n", "devices:\n  - {id: env-new, kind: env, floor: 3}\n"
        )
        apply_site(conn, parse_site_file(text))
        wait_for(lambda: "env-new" in service.registry.devices, bool, what="registry refresh")
        publish(pub, topic, json.dumps({"ts": ms(T0) + 2, "temp_c": 4.0}))
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 1)

    result = replay_dead_letters(conn, site=site_id)
    assert (result.replayed, result.still_failing, result.readings) == (2, 0, 3)
    assert count(conn, "env_readings") == 4
    again = replay_dead_letters(conn, site=site_id)
    assert (again.replayed, again.readings) == (0, 0)
    assert count(conn, "env_readings") == 4
    assert list_dead_letters(conn, site=site_id) == []
    replayed = list_dead_letters(conn, site=site_id, include_replayed=True)
    assert [d.replayed_at is not None for d in replayed] == [True, True]
    no_ts = rows(conn, "SELECT ts_from_receive, floor FROM env_readings WHERE temp_c = 3.0")
    assert no_ts == [(True, 3)]


def test_status_topic_and_the_no_data_timeout_mark_devices_offline_and_online(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    base = f"site/{site_id}/env/env-2f-01"

    def state() -> list[tuple[object, ...]]:
        return rows(
            conn, "SELECT online, status_reason FROM device_state WHERE device_id = 'env-2f-01'"
        )

    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, f"{base}/telemetry", json.dumps({"temp_c": 20.0}))
        wait_for(state, lambda s: s == [(True, "data received")])
        publish(pub, f"{base}/status", b"offline")
        wait_for(state, lambda s: s == [(False, "status offline")])
        publish(pub, f"{base}/status", b'{"state": "online"}')
        wait_for(state, lambda s: s == [(True, "status online")])
        publish(pub, f"{base}/status", b"sleepy")
        wait_for(lambda: count(conn, "dead_letters"), lambda n: n == 1)

    conn.execute("UPDATE device_state SET last_seen_at = now() - interval '6 minutes'")
    assert mark_offline(conn, {"env": 300}) == ["env-2f-01"]
    assert state() == [(False, "no data for 300 s")]
    assert mark_offline(conn, {"env": 300}) == []
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, f"{base}/telemetry", json.dumps({"temp_c": 21.0}))
        wait_for(state, lambda s: s == [(True, "data received")])


@pytest.mark.parametrize("qos", [0, 1])
def test_qos_0_and_1_are_both_accepted(
    qos: int, settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 5}', qos=qos)
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 1)


def test_the_deadletters_commands_list_and_replay(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    topic = f"site/{site_id}/env/env-2f-01/telemetry"
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, topic, b'{"temp_c": 81.5}')
        wait_for(lambda: count(conn, "dead_letters"), lambda n: n == 1)
    env = {"SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(), "PATH": "/usr/bin"}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sitepulse", "deadletters", *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout

    listing = cli("list", "--site", site_id)
    assert topic in listing
    assert "temp_c=81.5 above 80" in listing
    assert "1 dead letter(s)" in listing
    assert "replayed 0 dead letter(s), 0 reading(s) stored; 1 still failing" in cli("replay")


def test_narrowing_a_session_to_one_site_stops_other_sites_arriving(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    everywhere = settings.model_copy(update={"ingest_site_filter": "+"})
    with running_ingest(everywhere):
        pass  # the session now holds the all-sites subscriptions
    with running_ingest(settings), publisher(settings) as pub:  # same client id, one site
        publish(pub, "site/elsewhere/env/env-x/telemetry", b'{"temp_c": 1}')
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 2}')
        wait_for(lambda: count(conn, "env_readings"), lambda n: n == 1)
        time.sleep(0.5)
    # (Retained statuses of other sites on this broker may be dead letters of the first,
    # all-sites run; the telemetry published after narrowing must not reach us.)
    elsewhere = rows(conn, "SELECT topic FROM dead_letters WHERE topic LIKE 'site/elsewhere/%%'")
    assert elsewhere == []
