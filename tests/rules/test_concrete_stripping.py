"""A slab curing slowly in the cold under a schedule that wants its forms for the floor
above: readings over MQTT, stored by ingest, judged by the rules service's concrete job:
a schedule risk naming the days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from concrete.report import task_concrete
from concrete.strength import SHIPPED_CURVES
from core.db import Connection
from core.settings import Settings
from tests.concrete.site import TZ, import_csv, load_concrete_site, local, publish_stored, series
from tests.helpers import publisher, rows, running_ingest, running_rules, wait_for

H = timedelta(hours=1)


def test_stripping_forecast_after_the_next_floors_formwork_start_is_a_schedule_risk(
    settings: Settings, conn: Connection, site_id: str, tmp_path: Path
) -> None:
    load_concrete_site(conn, site_id)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    poured = now - 20 * H
    form_start = now + 48 * H
    import_csv(
        conn,
        site_id,
        tmp_path,
        [
            f"POUR-2,2F slab pour,pour,2,{local(poured)},{local(poured + 4 * H)},",
            f"FORM-3,3F formwork,formwork,3,{local(form_start)},{local(form_start + 24 * H)},",
        ],
    )
    probe = series(poured, 20, timedelta(minutes=10), "core_temp_c", 10.0)
    with running_ingest(settings), publisher(settings) as mqtt:
        publish_stored(conn, mqtt, site_id, {"env-2f-p1": probe})

    with running_rules(settings):
        found = wait_for(
            lambda: rows(
                conn,
                "SELECT rule_id, subject, task_id, floor, message FROM alerts"
                " WHERE starts_with(rule_id, 'concrete.')",
            ),
            lambda r: len(r) >= 1,
            timeout=30,
            what="the stripping schedule risk",
        )
    ((rule, subject, task, floor, message),) = found
    assert (rule, subject, task, floor) == ("concrete.stripping_late", "POUR-2", "POUR-2", 2)

    # 75 % of C30 for a 6 m slab, at 20 °C·h an hour from 400 °C·h
    hours = (SHIPPED_CURVES["C30"].maturity_for(22.5) - 400) / 20
    late_days = (poured + 20 * H + hours * H - form_start) / timedelta(days=1)
    concrete = task_concrete(conn, site_id, "POUR-2", datetime.now(UTC))
    assert concrete is not None
    assert concrete.stripping_late_days is not None
    assert abs(concrete.stripping_late_days - late_days) < 0.01
    start_local = form_start.astimezone(TZ).strftime("%m-%d %H:%M")
    assert f"{concrete.stripping_late_days:.1f} days after 3F formwork (FORM-3)" in message
    assert f"is planned to start {start_local}" in message
    assert message.startswith("POUR-2 on 2F: schedule risk: stripping strength 22.5 MPa forecast")
