"""The phone pages in headless Chromium (Debian's package) at the sizes of common phones,
fed by the real stack: a schedule imported by the command line, readings through MQTT and
ingest, an alert raised by the rules service, the page live from the server-sent events.
Screenshots go to artifacts/."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.keys import Role, create_key
from core.db import Connection
from core.settings import Settings
from simulators.site_sim import SiteSimulation
from sites.site_file import SiteFile
from storage.rollups import refresh_rollups
from tests.api.test_floor_detail import (
    import_schedule,
    pour_on_3f,
    set_up_floor_two,
)
from tests.api.test_progress import SHANGHAI, demo_site_file
from tests.api.test_progress import demo_tower as demo_tower
from tests.helpers import REPO, publish, publish_steps, publisher, rows, running_ingest, wait_for

ARTIFACTS = REPO / "artifacts"
# A common phone (iPhone 12-15) and the narrowest in wide use (many Android phones).
SIZES = {"390x844": (390, 844), "360x740": (360, 740)}

# Everything a thumb or an eye meets on the page, measured in the page. (The pages allow
# no eval: waits are Playwright's `expect`, which needs none.)
_SMALLEST_TEXT = """() => {
  let smallest = 1000, where = "";
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].some(c => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(node).fontSize);
    if (size < smallest) { smallest = size; where = node.outerHTML.slice(0, 80); }
  }
  return [smallest, where];
}"""
_SMALL_TARGETS = """() => [...document.querySelectorAll("a, button, input, select")]
  .filter(n => n.getClientRects().length && n.type !== "hidden")
  .map(n => [n.outerHTML.slice(0, 60), n.getBoundingClientRect()])
  .filter(([, r]) => r.height < 44 || r.width < 44)
  .map(([html, r]) => `${html} ${r.width}x${r.height}`)"""


@pytest.fixture
def phone_site(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, tmp_path: Path
) -> datetime:
    """tests/api/test_floor_detail.py's 2F: tasks around now, readings, an open alert."""
    return set_up_floor_two(settings, conn, site_id, tmp_path)


def phone(browser: Browser, size: str) -> BrowserContext:
    width, height = SIZES[size]
    return browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )


def signed_in_page(context: BrowserContext, api_url: str, site: str, key: str, path: str) -> Page:
    """Opened from a link carrying the key: once in, the key is gone from the address."""
    page = context.new_page()
    page.goto(f"{api_url}{path}?key={key}")
    page.wait_for_url(f"{api_url}{path}")
    assert "key=" not in page.url
    return page


def check_fits_a_phone(page: Page) -> None:
    # A phone zooms out to show a page wider than its screen, and innerWidth grows with
    # it: the screen's width is the viewport's.
    screen = page.viewport_size["width"] if page.viewport_size else None
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == screen, f"the page scrolls sideways: {width}, {screen}"
    smallest, where = page.evaluate(_SMALLEST_TEXT)
    assert smallest >= 14, f"text of {smallest} px: {where}"
    assert page.evaluate(_SMALL_TARGETS) == []


def key_of(conn: Connection, role: Role) -> str:
    return create_key(conn, f"site {role} phone", role)[1]


@pytest.mark.parametrize("size", list(SIZES))
def test_a_manager_opens_the_site_and_taps_a_floor(
    conn: Connection, site_id: str, phone_site: datetime, api_url: str, browser: Browser, size: str
) -> None:
    context = phone(browser, size)
    page = signed_in_page(context, api_url, site_id, key_of(conn, "manager"), f"/m/{site_id}")
    page.wait_for_selector("a.floor")
    assert page.locator("a.floor .name").all_inner_texts() == ["3F", "2F", "1F", "B1"]
    expect(page.locator("#summary")).to_contain_text("late")
    assert page.locator("#summary").inner_text().startswith("1 floor late (3F +2 d)")
    assert page.locator('a.floor[data-level="3"] .late').inner_text() == "+2 d late"
    assert page.locator('a.floor[data-level="2"] .work').inner_text() == "formwork"
    assert "alarm" in (page.locator('a.floor[data-level="2"]').get_attribute("class") or "")
    assert page.locator('a.floor[data-level="2"] .facts').inner_text().startswith("2 人")
    assert page.locator("#conn").inner_text().startswith("live")
    check_fits_a_phone(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mobile-site-{size}.png"), full_page=True)

    page.locator('a.floor[data-level="2"]').tap()
    page.wait_for_url(f"{api_url}/m/{site_id}/floors/2")
    page.wait_for_selector(".metric")
    assert page.locator("#title").inner_text() == "2F"
    tasks = page.locator("#tasks").inner_text()
    for expected in ("Formwork 2F", "Pour 2F", "Rebar 2F", "+1 d late", "on plan"):
        assert expected in tasks, (expected, tasks)
    assert page.locator('.task[data-task="202"] .bar').count() == 1  # under way: its progress
    temp = page.locator('.metric[data-metric="temp_c"]')
    assert temp.locator(".value").inner_text() == "17.4 °C"
    assert temp.locator("svg.chart polyline").count() == 1
    noise = page.locator('.metric[data-metric="noise_dba"]').inner_text()
    assert "limit" in noise
    assert "alert > 70 dB(A)" in noise or "alert > 55 dB(A)" in noise
    assert page.locator("#workers").inner_text().split("\n") == ["formwork 1", "rebar 1"]
    alert = page.locator(".alert")
    assert alert.count() == 1
    assert "MAJOR Worker in a hazard zone" in alert.inner_text()
    assert alert.locator("button").inner_text() == "Acknowledge 确认"
    assert "moment 64 %" in page.locator("#cranes").inner_text()
    expect(page.locator("#plan img")).to_be_visible()  # the floor's plan, drawn by the server
    assert page.locator("#plan img").evaluate("img => img.naturalWidth") > 0
    check_fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / f"mobile-floor-{size}.png"), full_page=True)
    context.close()


def test_live_values_acknowledging_and_the_network_dropping(
    settings: Settings,
    conn: Connection,
    site_id: str,
    phone_site: datetime,
    api_url: str,
    browser: Browser,
) -> None:
    context = phone(browser, "390x844")
    path = f"/m/{site_id}/floors/2"
    page = signed_in_page(context, api_url, site_id, key_of(conn, "manager"), path)
    page.wait_for_selector('.metric[data-metric="temp_c"]')
    expect(page.locator("#conn")).to_contain_text("live")
    page.evaluate("window.__notReloaded = true")

    with running_ingest(settings), publisher(settings) as client:
        publish(client, f"site/{site_id}/env/env-2f-01/telemetry", json.dumps({"temp_c": 31.7}))
        expect(page.locator('.metric[data-metric="temp_c"] .value')).to_have_text(
            "31.7 °C", timeout=30_000
        )
    assert page.evaluate("window.__notReloaded") is True

    page.locator(".alert button").click()
    expect(page.locator(".alert .t")).to_contain_text("✓ acknowledged")
    assert rows(conn, "SELECT state, acknowledged_by FROM alerts") == [
        ("acknowledged", "key:site manager phone")
    ]
    assert page.locator(".alert button").count() == 0

    context.set_offline(True)
    expect(page.locator("body")).to_have_class("stale")
    assert page.locator("#stale-banner").inner_text().startswith("Offline: showing the data of")
    assert page.locator("#conn").inner_text().startswith("stale")
    assert page.locator('.metric[data-metric="temp_c"] .value').inner_text() == "31.7 °C"
    assert page.locator(".task").count() == 3  # the last data stays
    page.screenshot(path=str(ARTIFACTS / "mobile-floor-offline.png"))
    context.close()


def test_a_viewer_signs_in_with_the_form_reads_and_cannot_acknowledge(
    conn: Connection, site_id: str, phone_site: datetime, api_url: str, browser: Browser
) -> None:
    context = phone(browser, "360x740")
    page = context.new_page()
    path = f"/m/{site_id}/floors/2"
    page.goto(f"{api_url}{path}")
    page.wait_for_selector("form.sign-in")
    check_fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "mobile-sign-in.png"))
    page.fill("#key", key_of(conn, "viewer"))
    page.locator("form.sign-in button").tap()
    page.wait_for_url(f"{api_url}{path}")
    page.wait_for_selector(".alert")
    assert page.locator(".alert button").count() == 0
    assert "A manager's key acknowledges it." in page.locator(".alert").inner_text()
    (alert_id,) = rows(conn, "SELECT id FROM alerts")[0]
    refused = page.evaluate(
        """async id => {
             const r = await fetch(`/api/v1/alerts/${id}/ack`, {method: "POST"});
             return [r.status, (await r.json()).detail];
           }""",
        alert_id,
    )
    assert refused == [403, "this needs the manager role; the key is viewer"]
    assert rows(conn, "SELECT state FROM alerts") == [("active",)]

    page.locator("a.back").tap()
    page.wait_for_selector("a.floor")
    page.locator(".signout button").tap()
    page.wait_for_selector("form.sign-in")
    assert rows(conn, "SELECT count(*) FROM sessions") == [(0,)]
    context.close()


def test_a_link_from_another_site_signs_in_despite_the_strict_cookie(
    conn: Connection, site_id: str, phone_site: datetime, api_url: str, browser: Browser
) -> None:
    """A link in a message or a mail opens the page from another site: the browser keeps
    a SameSite=Strict cookie from that navigation and from the redirect after it. The page
    asks again from itself and is signed in."""
    context = phone(browser, "390x844")
    page = context.new_page()
    keyed = f"{api_url}/m/{site_id}?key={key_of(conn, 'viewer')}"
    page.route(
        "http://messages.example/",
        lambda route: route.fulfill(
            content_type="text/html", body=f'<a id="link" href="{keyed}">the site on a phone</a>'
        ),
    )
    page.goto("http://messages.example/")
    page.locator("#link").click()
    page.wait_for_url(f"{api_url}/m/{site_id}")
    page.wait_for_selector("a.floor")
    assert page.locator("form.sign-in").count() == 0
    page.go_back()  # the keyed address never became a page: back is where the link was
    assert page.url == "http://messages.example/"
    context.close()


def test_the_floor_page_shows_the_concrete_of_its_pour(
    settings: Settings,
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    api_url: str,
    browser: Browser,
    tmp_path: Path,
) -> None:
    pour_on_3f(settings, conn, site_id, tmp_path)
    context = phone(browser, "390x844")
    path = f"/m/{site_id}/floors/3"
    page = signed_in_page(context, api_url, site_id, key_of(conn, "viewer"), path)
    pour = page.locator('.pour[data-pour="302"]')
    expect(pour).to_be_visible()
    assert pour.locator(".label").inner_text() == "Pour 302 · C30"
    assert pour.locator(".value").inner_text().endswith(" MPa")
    text = pour.inner_text()
    for expected in ("Stripping", "Frost-safe", "env-3f-01: 20.0 °C", "shipped curve"):
        assert expected in text, (expected, text)
    assert page.locator('#concrete .metric[data-metric="core_temp_c"]').count() == 1
    check_fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "mobile-floor-concrete.png"), full_page=True)
    context.close()


def test_the_demo_tower_on_a_phone(
    settings: Settings, conn: Connection, demo_tower: str, api_url: str, browser: Browser
) -> None:
    """The README's demo: the demo tower's site file and schedule, 20 minutes of its
    simulated site this morning (10:00 on site) through MQTT and ingest, the rollups
    refreshed; the site and its top floor on a 390x844 phone."""
    import_schedule(settings, demo_tower, REPO / "deploy/schedules/demo-tower.csv")
    today = datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)
    simulation = SiteSimulation(demo_site_file(demo_tower), seed=7, start=today.astimezone(UTC))
    with running_ingest(settings):
        publish_steps(settings, simulation, 20 * 60)
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM env_readings"),
            lambda r: r[0][0] >= 500,
            timeout=60,
            what="the demo's environment readings",
        )
    refresh_rollups(conn, timedelta(minutes=10))

    context = phone(browser, "390x844")
    page = signed_in_page(context, api_url, demo_tower, key_of(conn, "manager"), f"/m/{demo_tower}")
    page.wait_for_selector("a.floor")
    assert page.locator("a.floor").count() == 32  # 30F to B2
    expect(page.locator("#summary")).to_contain_text("floors late")
    top = page.locator('a.floor[data-level="30"]')
    assert "formwork" in top.locator(".work").inner_text()
    assert top.locator(".late").inner_text().endswith(" d late")
    check_fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "mobile-demo-site.png"))
    top.tap()
    page.wait_for_url(f"{api_url}/m/{demo_tower}/floors/30")
    page.wait_for_selector(".metric")
    assert "支模 Formwork" in page.locator("#tasks").inner_text()
    check_fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "mobile-demo-floor.png"))  # what a phone shows first
    page.screenshot(path=str(ARTIFACTS / "mobile-demo-floor-full.png"), full_page=True)
    context.close()
