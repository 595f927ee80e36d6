"""The daily construction log of a simulated working day on the test site: the simulator
publishes over MQTT, ingest stores, the lifts job records; the log's headcounts, lifts and
weather extremes against what was published; the printable page in Chromium at A4."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from core.db import Connection
from core.settings import Settings
from records.lifts_store import record_lifts
from simulators.site_sim import Intervals, Outgoing, SiteSimulation
from sites.site_file import SiteFile
from tests.api.conftest import Keys
from tests.helpers import REPO, publisher, rows, running_ingest, sitepulse, wait_for
from tests.history import insert_alerts, insert_tasks

ZONE = ZoneInfo("Asia/Shanghai")
ARTIFACTS = REPO / "artifacts"
A4_PX = (794, 1123)  # 210 x 297 mm at 96 px per inch


def simulate_day(site: SiteFile, day: date) -> list[Outgoing]:
    """06:00 to 19:00 at the site: the crane every 2 s, tags every 10 s, air every 30 s."""
    start = datetime.combine(day, time(6), ZONE)
    simulation = SiteSimulation(site, 5, start, Intervals(crane_s=2))
    return [
        message
        for step in simulation.run(start + timedelta(hours=13))
        for message in step
        if message.topic.endswith("/telemetry")
    ]


def published(messages: list[Outgoing], kind: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        if message.topic.split("/")[2] != kind:
            continue
        body = json.loads(message.payload)
        if kind == "gateway":
            out += [{"tag": tag, **r} for tag, readings in body.items() for r in readings]
        else:
            out.append(body)
    return out


def loaded_runs(loads: list[float]) -> int:
    """The simulator's lifts: its hook load is 0 exactly while empty."""
    return sum(1 for i, load in enumerate(loads) if load > 0 and (i == 0 or loads[i - 1] == 0))


def publish_day(
    settings: Settings,
    conn: Connection,
    site_id: str,
    messages: list[Outgoing],
    readings: dict[str, list[dict[str, Any]]],
) -> None:
    with running_ingest(settings), publisher(settings) as mqtt:
        last = None
        for message in messages:
            last = mqtt.publish(message.topic, message.payload, qos=1)
        assert last is not None
        last.wait_for_publish(timeout=60)
        for kind, sent in readings.items():
            query = f"SELECT count(*) FROM {kind}_readings WHERE site_id = %s"
            expected = len(sent)
            wait_for(
                lambda q=query: rows(conn, q, site_id)[0][0],  # type: ignore[misc]
                lambda stored, n=expected: stored == n,  # type: ignore[misc]
                timeout=300,
                what=f"{expected} {kind} readings stored",
            )


def look_at_page(browser: Browser, page: str) -> None:
    """At A4's width in Chromium: a screenshot to look at and the PDF it prints."""
    shown = browser.new_page(viewport={"width": A4_PX[0], "height": A4_PX[1]})
    shown.set_content(page)
    ARTIFACTS.mkdir(exist_ok=True)
    shown.screenshot(path=str(ARTIFACTS / "daily-log-a4.png"), full_page=True)
    width = shown.evaluate("document.documentElement.scrollWidth")
    assert width <= A4_PX[0], f"the page is {width} px wide, wider than A4"
    pdf = shown.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "daily-log.pdf").write_bytes(pdf)
    shown.close()


def test_the_log_of_a_simulated_working_day(
    settings: Settings,
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    client: TestClient,
    keys: Keys,
    browser: Browser,
) -> None:
    day = (datetime.now(ZONE) - timedelta(days=1)).date()
    messages = simulate_day(loaded_site, day)
    # a concrete probe: its temp_c is the slab's surface, hotter than any air: not weather
    probe = next(d for d in loaded_site.devices if d.kind == "env")
    at_noon = int(datetime.combine(day, time(12), ZONE).timestamp() * 1000)
    slab = {"ts": at_noon, "temp_c": 45.0, "core_temp_c": 60.0, "rh_pct": 99.0}
    topic = f"site/{site_id}/env/{probe.id}/telemetry"
    messages.append(Outgoing(topic, json.dumps(slab).encode()))
    crane, env, tags = (published(messages, k) for k in ("crane", "env", "gateway"))
    publish_day(settings, conn, site_id, messages, {"crane": crane, "env": env, "tag": tags})
    record_lifts(conn, settings)
    noon = datetime.combine(day, time(15), ZONE)
    insert_tasks(conn, site_id, noon)
    insert_alerts(conn, site_id, noon)
    notes = (
        "09:30 监理到场验收3F钢筋 Supervisor accepted the 3F rebar.\n14:00 C30 pour on 3F began."
    )
    put = client.put(
        f"/api/v1/sites/{site_id}/daily-log/notes",
        params={"day": day.isoformat()},
        json={"notes": notes},
        headers=keys["manager"],
    )
    assert put.status_code == 200, put.text

    answer = client.get(
        f"/api/v1/sites/{site_id}/daily-log",
        params={"day": day.isoformat()},
        headers=keys["viewer"],
    )
    assert answer.status_code == 200, answer.text
    log = answer.json()

    # weather: the extremes of what the sensors published
    air = [r for r in env if "core_temp_c" not in r]
    temps = [r["temp_c"] for r in air if "temp_c" in r]
    assert log["weather"]["min_temp_c"] == min(temps)
    assert log["weather"]["max_temp_c"] == max(temps) < slab["temp_c"]
    assert log["weather"]["max_rh_pct"] == max(r["rh_pct"] for r in air if "rh_pct" in r)
    windiest = max(crane, key=lambda r: (r["wind_mps"], -r["ts"]))
    assert log["weather"]["max_wind_mps"] == windiest["wind_mps"]
    assert datetime.fromisoformat(log["weather"]["max_wind_at"]) == datetime.fromtimestamp(
        windiest["ts"] / 1000, UTC
    )
    assert log["weather"]["rain_mm"] is None  # no rain sensor in the contract

    # workforce: each tag's worker, by trade
    trade_of = {w.tag: w.trade for w in loaded_site.workers}
    by_trade: dict[str, set[str]] = defaultdict(set)
    for r in tags:
        by_trade[trade_of[r["tag"]]].add(r["tag"])
    assert {c["key"]: c["headcount"] for c in log["workforce"]["by_trade"]} == {
        trade: len(workers) for trade, workers in by_trade.items()
    }
    assert log["workforce"]["headcount"] == len({r["tag"] for r in tags}) == 3
    assert 3 * 8 < log["workforce"]["hours"] <= 3 * 13
    assert sum(c["hours"] for c in log["workforce"]["by_floor"]) == pytest.approx(
        log["workforce"]["hours"], abs=0.05
    )

    # lifts: as many as the simulated crane made
    [tc1] = log["cranes"]
    assert tc1["lifts"] == loaded_runs([r["load_t"] for r in crane]) > 20
    assert tc1["max_moment_pct"] == pytest.approx(
        max(r["moment_pct"] for r in crane if r["load_t"] > 0), abs=0.01
    )

    # tasks, alerts, notes
    assert {(t["task"], t["state"], t["excursions"]) for t in log["tasks"]} == {
        ("T-3F-POUR", "started", 1),  # planned from 07:00 that day
        ("T-2F-WALLS", "started", 1),
    }
    assert {a["severity"]: a["raised"] for a in log["alerts"]} == {
        "critical": 1, "major": 1, "minor": 1, "warning": 1,
    }  # fmt: skip
    assert log["notes"]["notes"] == notes
    assert log["from"] == datetime.combine(day, time(0), ZONE).isoformat()

    page = client.get(
        f"/api/v1/sites/{site_id}/daily-log.html",
        params={"day": day.isoformat(), "key": keys["viewer"]["Authorization"].split()[1]},
    )
    assert page.status_code == 200, page.text
    assert "技术负责人 Technical lead" in page.text
    assert "Supervisor accepted the 3F rebar." in page.text
    look_at_page(browser, page.text)

    exported = sitepulse(settings, "log", "export", "--site", site_id, "--day", day.isoformat())
    assert json.loads(exported.stdout)["cranes"][0]["lifts"] == tc1["lifts"]


def test_notes_are_a_managers_and_every_version_is_kept(
    client: TestClient,
    settings: Settings,
    site_id: str,
    loaded_site: SiteFile,
    keys: Keys,
    tmp_path: Path,
) -> None:
    url = f"/api/v1/sites/{site_id}/daily-log/notes"
    day = {"day": "2026-11-23"}
    viewer = client.put(url, params=day, json={"notes": "x"}, headers=keys["viewer"])
    assert viewer.status_code == 403
    for text in ("Rain from 15:00; pour postponed.", "Rain from 15:00; pour on 3F postponed."):
        done = client.put(url, params=day, json={"notes": text}, headers=keys["manager"])
        assert done.status_code == 200, done.text
    body = done.json()
    assert body["notes"]["notes"] == "Rain from 15:00; pour on 3F postponed."
    assert body["notes"]["written_by"] == "test manager"
    assert [v["notes"] for v in body["history"]] == [
        "Rain from 15:00; pour postponed.",
        "Rain from 15:00; pour on 3F postponed.",
    ]
    log = client.get(f"/api/v1/sites/{site_id}/daily-log", params=day, headers=keys["viewer"])
    assert log.json()["notes"]["notes"] == "Rain from 15:00; pour on 3F postponed."

    too_long = client.put(url, params=day, json={"notes": "x" * 20_001}, headers=keys["manager"])
    assert too_long.status_code == 422
    assert "notes" in too_long.json()["detail"]
    no_day = client.put(url, json={"notes": "x"}, headers=keys["manager"])
    assert no_day.status_code == 422
    assert "day" in no_day.json()["detail"]
    bad_day = client.get(
        f"/api/v1/sites/{site_id}/daily-log", params={"day": "2026-02-30"}, headers=keys["viewer"]
    )
    assert bad_day.status_code == 422
    missing = client.get("/api/v1/sites/nowhere/daily-log", headers=keys["viewer"])
    assert missing.status_code == 404

    pdf = tmp_path / "log.pdf"
    exported = sitepulse(
        settings, "log", "export", "--site", site_id, "--day", day["day"], "--pdf", str(pdf)
    )
    assert str(pdf) in exported.stdout
    assert pdf.read_bytes().startswith(b"%PDF")
    refused = sitepulse(
        settings, "log", "export", "--site", "nowhere", "--day", "2026-11-23", ok=False
    )
    assert "nowhere" in refused.stderr
