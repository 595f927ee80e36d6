"""The printable quality record of a curing slab, rendered by headless Chromium from the
real stack: readings over MQTT, ingest, the rules service's concrete job, the API."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser

from core.db import Connection
from core.settings import Settings
from tests.concrete.site import import_csv, load_concrete_site, local, ms, publish_stored, series
from tests.helpers import REPO, publisher, rows, running_ingest, running_rules, wait_for

H = timedelta(hours=1)
ARTIFACTS = REPO / "artifacts"


def hydration(h: float) -> float:
    """A slab's core: placed at 12 °C, warmed by hydration to about 27 °C at 14 h, cooling."""
    return 12.0 + 15.0 * (h / 14) * math.exp(1 - h / 14)


def test_the_quality_page_shows_the_slabs_strength_and_its_decisions(
    settings: Settings,
    conn: Connection,
    site_id: str,
    tmp_path: Path,
    api_url: str,
    viewer: str,
    browser: Browser,
) -> None:
    load_concrete_site(conn, site_id)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    poured = now - 30 * H
    import_csv(
        conn,
        site_id,
        tmp_path,
        [
            f"POUR-2,2F slab pour,pour,2,{local(poured)},{local(poured + 5 * H)},",
            f"FORM-3,3F formwork,formwork,3,{local(now + 30 * H)},{local(now + 54 * H)},",
        ],
    )
    every = timedelta(minutes=10)
    p1 = series(poured, 30, every, "core_temp_c", hydration)
    cooler = [{**r, "core_temp_c": r["core_temp_c"] - 3} for r in p1]
    hole = (ms(poured + 8 * H), ms(poured + 11 * H))
    p2 = [r for r in cooler if not hole[0] < r["ts"] < hole[1]]
    air = series(now - 6 * H, 6, every, "temp_c", lambda h: 9.0 - 1.2 * h)
    with running_ingest(settings), publisher(settings) as mqtt:
        publish_stored(conn, mqtt, site_id, {"env-2f-p1": p1, "env-2f-p2": p2, "env-2f-01": air})
    with running_rules(settings):
        wait_for(
            lambda: rows(
                conn, "SELECT rule_id FROM alerts WHERE starts_with(rule_id, 'concrete.')"
            ),
            lambda r: len(r) == 2,
            timeout=30,
            what="the frost alert and the stripping risk",
        )

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{api_url}/api/v1/sites/{site_id}/tasks/POUR-2/quality.html?key={viewer}")
    text = page.inner_text("body")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quality-concrete.png"), full_page=True)
    page.close()
    assert "Concrete strength 混凝土强度 (maturity method)" in text
    assert "shipped curve, NOT calibrated for this mix" in text
    assert "env-2f-p2" in text
    assert "env-2f-p1" in text
    assert "(3.0 h)" in text  # p2's gap, not bridged
    assert "GB 50666-2011 §4.5.2" in text
    assert "JGJ/T 104-2011" in text
    assert "Next task: 3F formwork (FORM-3)" in text
    assert "air forecast at" in text  # the frost alert, linked to the task
