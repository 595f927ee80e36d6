"""A cold night coming for a young slab: probe and air readings published over MQTT and
stored by ingest; the rules service's concrete job forecasts frost before the critical
strength and raises the alert ahead of time. A slab already past its critical strength
raises nothing."""

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
EVERY = timedelta(minutes=10)


def test_frost_forecast_before_the_critical_strength_raises_the_alert_ahead_of_time(
    settings: Settings, conn: Connection, site_id: str, tmp_path: Path
) -> None:
    load_concrete_site(conn, site_id)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    young, old = now - 6 * H, now - 48 * H
    import_csv(
        conn,
        site_id,
        tmp_path,
        [
            f"POUR-2,2F slab pour,pour,2,{local(young)},{local(young + 4 * H)},",
            f"POUR-3,3F slab pour,pour,3,{local(old)},{local(old + 4 * H)},",
        ],
    )
    # the young slab at 8 °C; the air falling a degree an hour, 4 °C now: 0 °C in 4 hours
    probe = series(young, 6, EVERY, "core_temp_c", 8.0)
    air = series(now - 6 * H, 6, EVERY, "temp_c", lambda h: 10.0 - h)
    warm = series(old, 48, EVERY, "core_temp_c", 25.0)  # the older slab is past it
    with running_ingest(settings), publisher(settings) as mqtt:
        publish_stored(
            conn, mqtt, site_id, {"env-2f-p1": probe, "env-2f-01": air, "env-3f-01": warm}
        )
    assert min(r["temp_c"] for r in air) > 0  # no frost yet: the alert is a forecast

    with running_rules(settings):
        found = wait_for(
            lambda: rows(
                conn,
                "SELECT rule_id, subject, task_id, floor, state, raised_at, message"
                " FROM alerts WHERE starts_with(rule_id, 'concrete.')",
            ),
            lambda r: len(r) >= 1,
            timeout=30,
            what="the frost alert",
        )
    ((rule, subject, task, floor, state, raised_at, message),) = found
    assert (rule, subject, task, floor, state) == (
        "concrete.frost_before_strength",
        "POUR-2",
        "POUR-2",
        2,
        "active",
    )
    concrete = task_concrete(conn, site_id, "POUR-2", datetime.now(UTC))
    assert concrete is not None
    assert concrete.air_frost_at is not None
    assert abs(concrete.air_frost_at - (now + 4 * H)) < timedelta(seconds=1)
    assert raised_at < concrete.air_frost_at - 3 * H  # raised hours before the frost
    # the critical strength, 30 % of C30 (9 MPa), at 18 °C·h an hour from 108 °C·h: after it
    critical_h = (SHIPPED_CURVES["C30"].maturity_for(9.0) - 18 * 6) / 18
    safe = concrete.frost_safe_at
    assert (safe.status, safe.target_mpa) == ("forecast", 9.0)
    assert safe.at is not None
    assert abs(safe.at - (now + critical_h * H)) < timedelta(minutes=1)
    frost_local = concrete.air_frost_at.astimezone(TZ).strftime("%m-%d %H:%M")
    assert f"2F: air forecast at {frost_local} frost; 0.0 MPa now, critical 9.0 MPa" in message
