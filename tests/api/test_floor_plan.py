"""A floor's plan as SVG, fed by the real stack (broker -> ingest -> database -> API), read
as XML and looked at in headless Chromium at a phone's and a wall display's size."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from api.keys import create_key
from core.db import Connection
from core.settings import Settings
from sites.site_file import SiteFile, load_site_file
from sites.store import apply_site
from tests.api.conftest import Keys
from tests.api.test_board import ARTIFACTS
from tests.bim.test_ifc_models import unpacked
from tests.helpers import REPO, publish, publisher, rows, running_ingest, sitepulse, wait_for

NS = {"svg": "http://www.w3.org/2000/svg"}


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def heard(
    settings: Settings, conn: Connection, site_id: str, messages: dict[str, object], devices: int
) -> None:
    """Publish each topic's payload through the real broker and ingest, and wait until the
    state of all `devices` (tags and cranes) holds them."""
    with running_ingest(settings), publisher(settings) as pub:
        for topic, payload in messages.items():
            publish(pub, f"site/{site_id}/{topic}", json.dumps(payload))
        wait_for(
            lambda: rows(
                conn, "SELECT count(*) FROM device_state WHERE site_id = %s AND last_seen_at "
                "IS NOT NULL AND kind IN ('tag', 'crane')", site_id
            ),
            lambda r: r == [(devices,)],
            what="the tags and the crane in device_state",
        )  # fmt: skip


@pytest.fixture
def on_2f(settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile) -> None:
    t = now_ms()
    heard(
        settings,
        conn,
        site_id,
        {
            "gateway/gw-01/telemetry": {
                "tag-0001": {"ts": t, "x_m": 5, "y_m": 6, "floor": 2},
                "tag-0002": {"ts": t, "x_m": 3, "y_m": 3, "floor": 2, "sos": True},
            },
            "gateway/gw-02/telemetry": {"tag-0003": {"ts": t, "x_m": 20, "y_m": 10, "floor": 3}},
            "crane/tc-1/telemetry": {"ts": t, "slew_deg": 90, "load_t": 1.2},
        },
        devices=4,
    )


def svg_of(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "no-store"
    return ET.fromstring(response.text)  # noqa: S314 (our own answer)


@pytest.mark.usefixtures("on_2f")
def test_the_plan_draws_zones_hazards_workers_heard_there_and_the_cranes(
    client: TestClient, keys: Keys, site_id: str
) -> None:
    svg = svg_of(client.get(f"/api/v1/sites/{site_id}/floors/2/plan.svg", headers=keys["viewer"]))
    title = svg.find("svg:title", NS)
    assert title is not None
    assert title.text == f"{site_id}, floor 2F (level 2): 2 workers heard"
    # north up: site y is drawn as -y; the view holds the floor and the crane's mast
    x0, y0, w, h = (float(v) for v in svg.attrib["viewBox"].split())
    assert x0 < 0
    assert x0 + w > 20
    assert y0 < -30
    assert y0 + h > 0
    polygons = {p.findtext("svg:title", "", NS): p for p in svg.iterfind("svg:polygon", NS)}
    assert set(polygons) == {"f2-core (f2-core)", "f2-shaft (f2-shaft, hazard)"}
    core, shaft = polygons["f2-core (f2-core)"], polygons["f2-shaft (f2-shaft, hazard)"]
    assert core.attrib["points"] == "0,0 10,0 10,-8 0,-8"
    assert "stroke-dasharray" not in core.attrib
    assert shaft.attrib["points"] == "2,-2 4,-2 4,-4 2,-4"
    assert shaft.attrib["stroke-dasharray"]
    assert shaft.attrib["fill"] == "#e02424"
    # drawn after the core: on top of it
    assert list(polygons).index("f2-shaft (f2-shaft, hazard)") == 1
    dots = {
        c.findtext("svg:title", "", NS).split(" (")[0]: c
        for c in svg.iter(f"{{{NS['svg']}}}circle")
    }
    assert set(dots) == {"Li Wei, rebar", "SOS: Wang Fang, formwork", ""}  # "" : the jib circle
    li, sos = dots["Li Wei, rebar"], dots["SOS: Wang Fang, formwork"]
    assert (li.attrib["cx"], li.attrib["cy"]) == ("5", "-6")
    assert (sos.attrib["cx"], sos.attrib["cy"]) == ("3", "-3")
    assert float(sos.attrib["r"]) > float(li.attrib["r"])
    assert sos.attrib["fill"] == "#e02424"
    jib = dots[""]
    assert (jib.attrib["cx"], jib.attrib["cy"], jib.attrib["r"]) == ("20", "-30", "60")
    line = svg.find(".//svg:line", NS)  # slewed to 90 degrees: pointing east
    assert line is not None
    assert (line.attrib["x2"], line.attrib["y2"]) == ("80", "-30")


@pytest.mark.usefixtures("on_2f")
def test_another_floor_shows_only_its_own_workers_and_no_labels_when_asked(
    client: TestClient, keys: Keys, site_id: str
) -> None:
    response = client.get(
        f"/api/v1/sites/{site_id}/floors/3/plan.svg?labels=false&theme=dark",
        headers=keys["viewer"],
    )
    svg = svg_of(response)
    workers = [c for c in svg.iter(f"{{{NS['svg']}}}circle") if c.attrib.get("fill") != "none"]
    assert [(c.attrib["cx"], c.attrib["cy"]) for c in workers] == [("20", "-10")]
    texts = [t.text or "" for t in svg.iter(f"{{{NS['svg']}}}text")]
    assert len(texts) == 1
    assert texts[0].endswith(" m")
    assert svg.find("svg:rect", NS).attrib["fill"] == "#0b1220"  # type: ignore[union-attr]


@pytest.mark.usefixtures("loaded_site")
def test_a_missing_floor_or_site_is_a_404_naming_it(
    client: TestClient, keys: Keys, site_id: str
) -> None:
    response = client.get(f"/api/v1/sites/{site_id}/floors/7/plan.svg", headers=keys["viewer"])
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        f"site {site_id!r} has no floor 7 (its levels: -1, 1, 2, 3)"
    )
    response = client.get("/api/v1/sites/nowhere/floors/1/plan.svg", headers=keys["viewer"])
    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]
    bad = client.get(f"/api/v1/sites/{site_id}/floors/two/plan.svg", headers=keys["viewer"])
    assert bad.status_code == 422


@pytest.mark.usefixtures("loaded_site")
def test_the_key_may_come_in_the_query_for_an_img(
    client: TestClient, conn: Connection, site_id: str
) -> None:
    _, key = create_key(conn, "phone", "viewer")
    path = f"/api/v1/sites/{site_id}/floors/2/plan.svg"
    assert client.get(path).status_code == 401
    assert client.get(f"{path}?key=sp_wrong").status_code == 401
    assert client.get(f"{path}?key={key}").status_code == 200


@pytest.fixture
def demo_tower(settings: Settings, conn: Connection, site_id: str) -> SiteFile:
    """The demo tower under this test's site id, with workers heard on 20F (one pressing
    SOS, one in the shaft) and two cranes slewed."""
    demo = load_site_file(REPO / "deploy/sites/demo-tower.yaml")
    site = demo.model_copy(update={"site": demo.site.model_copy(update={"id": site_id})})
    apply_site(conn, site)
    gateway = {d.id: d.gateway for d in site.devices}
    spots = [(24, 24), (30, 50), (41, 35.5), (52, 30), (60, 45), (64, 52), (47, 40), (33, 38)]
    t = now_ms()
    batches: dict[str, dict[str, object]] = {}
    for worker, (x, y) in zip(site.workers, spots, strict=False):
        assert worker.tag is not None
        reading = {"ts": t, "x_m": x, "y_m": y, "floor": 20, "sos": (x, y) == (60, 45)}
        batches.setdefault(f"gateway/{gateway[worker.tag]}/telemetry", {})[worker.tag] = reading
    batches["crane/tc-1/telemetry"] = {"ts": t, "slew_deg": 80}
    batches["crane/tc-2/telemetry"] = {"ts": t, "slew_deg": 250}
    with running_ingest(settings), publisher(settings) as pub:
        for topic, payload in batches.items():
            publish(pub, f"site/{site_id}/{topic}", json.dumps(payload))
        wait_for(
            lambda: rows(conn, "SELECT count(*) FROM device_state WHERE kind = 'tag' "
                         "AND floor = 20 AND last_seen_at IS NOT NULL"),
            lambda r: r == [(len(spots),)],
            what="the workers on 20F",
        )  # fmt: skip
    return site


def test_the_plan_is_legible_on_a_phone_and_a_wall_display(
    demo_tower: SiteFile,
    conn: Connection,
    site_id: str,
    api_url: str,
    browser: Browser,
) -> None:
    _, key = create_key(conn, "plan", "viewer")
    url = f"{api_url}/api/v1/sites/{site_id}/floors/20/plan.svg?key={key}"
    ARTIFACTS.mkdir(exist_ok=True)
    # a phone: the plan as an <img> the page's width, and inline
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.set_content(
        f'<body style="margin:0"><img id="plan" style="width:100%;display:block" src="{url}">'
        '<div id="inline" style="width:100%"></div></body>'
    )
    page.wait_for_function("document.getElementById('plan').complete")
    size = page.evaluate(
        "() => { const i = document.getElementById('plan'), r = i.getBoundingClientRect(); "
        "return [i.naturalWidth, r.width, r.height]; }"
    )
    assert size[0] > 0, "the <img> did not load the plan"
    assert size[1] == 390
    assert 200 < size[2] < 390
    svg_text = httpx.get(url).text
    page.evaluate("t => { document.getElementById('inline').innerHTML = t; }", svg_text)
    heights = page.evaluate(
        "() => [...document.querySelectorAll('#inline text')]"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert heights, "no labels drawn"
    assert min(heights) >= 10, f"labels too small on a phone: {heights}"
    page.screenshot(path=str(ARTIFACTS / "floor-plan-phone.png"), full_page=True)
    page.close()
    # a wall display, dark, full screen
    wall = browser.new_page(viewport={"width": 1920, "height": 1080})
    wall.goto(f"{url}&theme=dark")
    wall.screenshot(path=str(ARTIFACTS / "floor-plan-wall.png"))
    drawn = wall.evaluate(
        "() => [document.querySelectorAll('polygon').length, "
        "document.querySelectorAll('circle').length]"
    )
    zones_20f = [z for z in demo_tower.zones if z.floor == 20]
    assert drawn == [len(zones_20f), 8 + len(demo_tower.cranes)]
    wall.close()


def test_a_real_models_floor_drawn_from_its_site_file(
    settings: Settings,
    conn: Connection,
    site_id: str,
    api_url: str,
    browser: Browser,
    tmp_path: Path,
) -> None:
    """The README's example: a public model (the buildingSMART duplex) made a site file by
    `site from-ifc`, loaded by `site load`, its ground floor drawn."""
    model = unpacked("duplex.ifc", tmp_path)
    out = tmp_path / "duplex.yaml"
    sitepulse(settings, "site", "from-ifc", str(model), "--site-id", site_id,
              "--timezone", "America/New_York", "--out", str(out))  # fmt: skip
    sitepulse(settings, "site", "load", str(out))
    _, key = create_key(conn, "plan", "viewer")
    page = browser.new_page(viewport={"width": 800, "height": 900})
    page.goto(f"{api_url}/api/v1/sites/{site_id}/floors/1/plan.svg?key={key}")
    titles = page.evaluate(
        "() => [...document.querySelectorAll('polygon title')].map(t => t.textContent)"
    )
    assert len(titles) == 10
    assert "Foyer (A101)" in titles
    page.screenshot(path=str(ARTIFACTS / "floor-plan-duplex-level-1.png"))
    page.close()
