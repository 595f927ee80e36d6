"""A pour's concrete through the real pipeline: probe readings published over MQTT,
stored by ingest, read by `GET /api/v1/tasks/{task}`; and Grafana's strength panel on the
same rows giving the same strengths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from concrete.report import floor_concrete
from concrete.strength import SHIPPED_CURVES
from core.db import Connection
from core.settings import Settings
from dashboards.catalog import panel_queries
from dashboards.macros import QueryContext, expand
from tests.concrete.site import (
    import_csv,
    load_concrete_site,
    local,
    ms,
    publish_stored,
    series,
)
from tests.helpers import publisher, running_ingest

H = timedelta(hours=1)


def test_a_probe_at_20_c_for_24_h_and_a_colder_one_with_a_gap(
    settings: Settings,
    conn: Connection,
    site_id: str,
    tmp_path: Path,
    client: TestClient,
    viewer: str,
) -> None:
    load_concrete_site(conn, site_id)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - 26 * H
    import_csv(
        conn,
        site_id,
        tmp_path,
        [
            f"POUR-2,2F slab pour,pour,2,{local(start)},{local(start + 6 * H)},",
            f"POUR-3,3F slab pour,pour,3,{local(start)},{local(start + 6 * H)},C40",
            f"WALL-2,2F walls,masonry,2,{local(start)},{local(start + 6 * H)},",
            f"FORM-3,3F formwork,formwork,3,{local(now + 72 * H)},{local(now + 96 * H)},",
        ],
    )
    steady = series(start, 24, timedelta(minutes=10), "core_temp_c", 20.0)
    hole = (ms(start + 10 * H), ms(start + 13 * H))
    gapped = [r for r in steady if not hole[0] < r["ts"] < hole[1]]
    with running_ingest(settings), publisher(settings) as mqtt:
        publish_stored(conn, mqtt, site_id, {"env-2f-p1": steady, "env-2f-p2": gapped})

    auth = {"Authorization": f"Bearer {viewer}"}
    c: dict[str, Any] = client.get(f"/api/v1/tasks/POUR-2?site={site_id}", headers=auth).json()[
        "concrete"
    ]
    probes = {p["device"]: p for p in c["probes"]}
    assert probes["env-2f-p1"]["maturity_degc_h"] == pytest.approx((20 - -10) * 24)
    assert probes["env-2f-p1"]["equivalent_age_h"] == pytest.approx(24.0)
    assert probes["env-2f-p1"]["gaps"] == []
    assert probes["env-2f-p2"]["maturity_degc_h"] == pytest.approx(30 * 21)
    gaps = [
        (datetime.fromisoformat(g["start"]), datetime.fromisoformat(g["end"]), g["hours"])
        for g in probes["env-2f-p2"]["gaps"]
    ]
    assert gaps == [(start + 10 * H, start + 13 * H, 3.0)]
    # the task's values are its coldest probe's
    assert c["probe"] == "env-2f-p2"
    assert c["maturity_degc_h"] == pytest.approx(630.0)
    assert c["equivalent_age_h"] == pytest.approx(21.0)
    assert c["datum_c"] == -10.0
    assert (c["grade"], c["grade_source"], c["calibrated"]) == ("C30", "site default", False)
    assert c["strength_mpa"] == pytest.approx(SHIPPED_CURVES["C30"].strength_mpa(630), abs=0.01)
    assert c["since_source"] == "planned"

    # at a constant 20 °C the forecasts are arithmetic: 30 °C·h an hour from the last reading
    last = start + 24 * H
    curve = SHIPPED_CURVES["C30"]
    for key, target_mpa in (("stripping_at", 22.5), ("frost_safe_at", 9.0)):
        milestone = c[key]
        assert (milestone["status"], milestone["target_mpa"]) == ("forecast", target_mpa)
        hours = (curve.maturity_for(target_mpa) - 630) / 30
        at = datetime.fromisoformat(milestone["at"])
        assert abs(at - (last + hours * H)) < timedelta(seconds=5)
    assert c["next_task"]["id"] == "FORM-3"
    stripping = datetime.fromisoformat(c["stripping_at"]["at"])
    late = (stripping - (now + 72 * H)) / timedelta(days=1)
    assert c["stripping_late_days"] == pytest.approx(late, abs=0.01)

    pour_3 = client.get(f"/api/v1/tasks/POUR-3?site={site_id}", headers=auth).json()
    assert (pour_3["grade"], pour_3["project"]) == ("C40", "")  # the task's own, as imported
    assert (
        pour_3["concrete"]["grade"],
        pour_3["concrete"]["grade_source"],
        pour_3["concrete"]["calibrated"],
        pour_3["concrete"]["probes"],
        pour_3["concrete"]["stripping_at"]["status"],
    ) == ("C40", "task", True, [], "not_forecast")
    # a floor's page reads the same block for each of its pours
    on_2f = floor_concrete(conn, site_id, 2, datetime.now(UTC))
    assert [(p.task, p.maturity_degc_h) for p in on_2f] == [("POUR-2", c["maturity_degc_h"])]
    walls = client.get(f"/api/v1/tasks/WALL-2?site={site_id}", headers=auth).json()
    assert walls["concrete"] is None

    # Grafana's panel computes the same strengths in SQL from the same rows
    (panel,) = [q for q in panel_queries() if q.query.name == "pour_strength"]
    context = QueryContext(start - H, now, timedelta(minutes=1), {"site": site_id, "floor": "2"})
    found = conn.execute(expand(panel.query.raw_sql, context)).fetchall()
    newest = {metric: value for _, metric, value in found}
    assert newest["POUR-2 env-2f-p1"] == pytest.approx(
        probes["env-2f-p1"]["strength_mpa"], abs=0.01
    )
    assert newest["POUR-2 env-2f-p2"] == pytest.approx(
        probes["env-2f-p2"]["strength_mpa"], abs=0.01
    )
