"""The board page in headless Chromium (Debian's package), fed live by the real stack:
simulator -> broker -> ingest -> database -> API -> server-sent events -> page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, expect

from api.keys import create_key
from core.db import Connection
from core.settings import Settings
from simulators.site_sim import SiteSimulation
from sites.site_file import SiteFile, parse_site_file
from sites.store import apply_site
from tests.api.test_floor_detail import import_schedule, write_schedule
from tests.helpers import (
    REPO,
    in_the_2f_shaft,
    publish,
    publish_steps,
    publisher,
    rows,
    running_ingest,
    running_rules,
    site_yaml,
    wait_for,
)

ARTIFACTS = REPO / "artifacts"


def test_the_board_shows_floors_statuses_cranes_and_alerts_live(
    settings: Settings,
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    api_url: str,
    browser: Browser,
) -> None:
    _, key = create_key(conn, "wall display", "viewer")
    # Yesterday at 10:00 on site: working hours, whatever the time is now.
    local = datetime.now(ZoneInfo(loaded_site.site.timezone)) - timedelta(days=1)
    start = local.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)
    simulation = SiteSimulation(loaded_site, seed=3, start=start)
    with running_ingest(settings):
        publish_steps(settings, simulation, 9 * 60)
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM crane_readings"),
            lambda r: r[0][0] >= 500,
            what="crane readings",
        )
        # and now, Li Wei stands in the 2F shaft (a hazard zone) for 12 s: the rules raise
        # a major alert there, which turns the floor red
        now = datetime.now(UTC) - timedelta(seconds=15)
        shaft = in_the_2f_shaft(now)
        with running_rules(settings), publisher(settings) as client:
            publish(
                client, f"site/{site_id}/gateway/gw-01/telemetry", json.dumps({"tag-0001": shaft})
            )
            wait_for(
                lambda: rows(conn, "SELECT count(*) FROM alerts"),
                lambda r: r[0][0] == 1,
                what="the hazard-zone alert",
            )
    conn.execute("UPDATE device_state SET online = false WHERE device_id = 'env-3f-01'")

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{api_url}/board/{site_id}?key={key}")
    page.wait_for_selector(".floor", timeout=15_000)
    names = page.locator(".floor .name").all_inner_texts()
    assert names == ["3F", "2F", "1F", "B1"]
    assert page.locator('.floor[data-level="3"]').get_attribute("class") == "floor offline"
    assert page.locator('.floor[data-level="2"]').get_attribute("class") == "floor alarm"
    assert page.locator('.floor[data-level="1"]').get_attribute("class") == "floor ok"
    alert = page.locator(".alert")
    assert alert.count() == 1
    assert "MAJOR Worker in a hazard zone" in alert.inner_text()
    assert "Li Wei (rebar) in hazard zone f2-shaft on 2F" in alert.inner_text()
    bars = page.locator(".floor .bar").all_inner_texts()
    assert sum(int(bar.split(" 人")[0]) for bar in bars) == 3, bars  # all three at work
    assert "1 alert" in page.locator('.floor[data-level="2"] .bar').inner_text()
    assert page.locator(".crane b").all_inner_texts() == ["tc-1"]
    assert "% moment" in page.locator(".crane").inner_text()
    assert re.search(r"\b\d+ lifts today", page.locator(".crane").inner_text())
    assert page.locator("#conn").inner_text().startswith("live")
    screenshot = ARTIFACTS / "board.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000


def test_the_board_without_a_valid_key_says_it_cannot_connect(
    site_id: str, loaded_site: SiteFile, api_url: str, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(f"{api_url}/board/{site_id}?key=wrong")
    page.wait_for_function("document.getElementById('conn').textContent.includes('reconnecting')")
    assert page.locator(".floor").count() == 0


HOSTILE = '<img src=x onerror="window.__xss=1">'


def test_site_provided_names_and_alert_texts_are_shown_as_text_never_run(
    conn: Connection, site_id: str, api_url: str, browser: Browser
) -> None:
    text = site_yaml(site_id).replace('name: "2F"', f"name: '{HOSTILE}'")
    apply_site(conn, parse_site_file(text, "hostile.yaml"))
    conn.execute(
        "INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message,"
        " opened_at, raised_at, last_breach_at, floor) VALUES (%s, 'workers.hazard_zone',"
        " 'tag-0001', 'active', 'major', %s, %s, now(), now(), now(), 2)",
        (site_id, f"<b>{HOSTILE}</b>", f"{HOSTILE} in hazard zone"),
    )
    _, key = create_key(conn, "wall display", "viewer")
    page = browser.new_page()
    page.goto(f"{api_url}/board/{site_id}?key={key}")
    page.wait_for_selector(".floor", timeout=15_000)
    page.wait_for_selector(".alert", timeout=15_000)
    page.wait_for_timeout(500)  # an <img src=x> would have failed to load by now
    assert page.evaluate("window.__xss") is None, "a site-provided name ran as HTML"
    assert page.locator('.floor[data-level="2"] .name').inner_text() == HOSTILE
    assert page.locator(".floor img, .alert img, .alert b").count() == 0
    assert f"<b>{HOSTILE}</b>" in page.locator(".alert .t").inner_text()
    assert page.locator(".alert .m").inner_text() == f"{HOSTILE} in hazard zone"


def test_the_board_shows_each_floors_construction_and_the_site_against_plan(
    settings: Settings,
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    api_url: str,
    browser: Browser,
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    import_schedule(settings, site_id, write_schedule(tmp_path / "schedule.csv", now))
    _, key = create_key(conn, "wall display", "viewer")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{api_url}/board/{site_id}?key={key}")  # the kiosk URL, as before
    page.wait_for_selector(".floor")
    page.wait_for_function("document.getElementById('progress').className === 'late'")
    line = page.locator("#progress").inner_text()
    assert line == (
        "1 floor late (3F +2 d): 1 of 4 tasks done, 1 under way, 1 due not done, takt plan 1.4 d"
    )
    assert page.locator('.floor[data-level="2"] .work').inner_text() == "formwork"
    assert page.locator('.floor[data-level="3"] .work .late').inner_text() == "+2 d late"
    assert page.locator('.floor[data-level="1"] .work').inner_text() == ""
    # the plan of the floor with work under way (nothing is in alarm)
    expect(page.locator("#plan")).to_be_visible()
    assert page.locator("#plan .caption").inner_text() == "2F · 0 人"
    assert page.locator("#plan img").evaluate("img => img.naturalWidth") > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-construction.png"))
