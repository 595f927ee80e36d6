"""Lifts recorded from readings that came over MQTT through ingest into TimescaleDB."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import Connection
from core.settings import Settings
from records.lifts_store import record_lifts
from sites.site_file import SiteFile
from tests.helpers import publisher, rows, running_ingest
from tests.records.lift_readings import a_lift, crane_reading, publish_readings, wait_stored


def lifts(conn: Connection, site_id: str) -> list[tuple[Any, ...]]:
    return rows(
        conn,
        "SELECT started_at, extract(epoch FROM ended_at - started_at)::float8, max_load_t,"
        " max_moment_pct, max_wind_mps, pick_radius_m, pick_slew_deg, pick_height_m,"
        " pick_floor, set_radius_m, set_slew_deg, set_height_m, set_floor"
        " FROM crane_lifts WHERE site_id = %s ORDER BY started_at",
        site_id,
    )


def test_an_80_second_lift_of_3_2_t_is_one_cycle(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    readings = a_lift(loaded_site, start, 3.2, loaded_s=80)
    with running_ingest(settings), publisher(settings) as client:
        publish_readings(client, site_id, readings)
        wait_stored(conn, site_id, len(readings))
    record_lifts(conn, settings)

    [lift] = lifts(conn, site_id)
    loaded = readings[20:100]
    assert lift[0] == start + timedelta(seconds=20)
    assert lift[1] == 80.0
    assert lift[2] == pytest.approx(3.22)
    assert lift[3] == max(r["moment_pct"] for r in loaded)
    assert lift[3] == pytest.approx(80.5)  # 3.22 t at 30 m, where an 8 t crane lifts 4 t
    assert lift[4] == pytest.approx(8.0, abs=0.1)
    assert lift[5:9] == (20.0, 45.0, 1.0, 1)  # picked on 1F
    assert lift[9:13] == (30.0, 120.0, 9.5, 3)  # set down on 3F (slab at 8.0 m)

    record_lifts(conn, settings)  # nothing new: the same rows
    assert len(lifts(conn, site_id)) == 1


def test_an_empty_hook_swinging_in_the_wind_is_no_lift(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    """The load cell of a swinging hook: up to 0.3 t of pendulum pull, and now and then a
    snatch of a second or two past the 0.4 t (5 % of 8 t) a lift begins at."""
    rng = random.Random(7)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    loads = [abs(rng.gauss(0.12, 0.08)) for _ in range(300)]
    for snatch in (40, 41, 130, 220, 221):
        loads[snatch] = 0.55
    readings = [
        crane_reading(loaded_site, start + timedelta(seconds=i), min(load, 0.55), 3.0,
                      (10.0 + i * 0.3) % 360, 60.0, 13.0 + rng.uniform(-2, 2))
        for i, load in enumerate(loads)
    ]  # fmt: skip
    assert max(r["load_t"] for r in readings) > settings.lift_start_share * 8
    with running_ingest(settings), publisher(settings) as client:
        publish_readings(client, site_id, readings)
        wait_stored(conn, site_id, len(readings))
    record_lifts(conn, settings)

    assert lifts(conn, site_id) == []


def test_a_lift_arriving_in_two_late_batches_is_one_cycle(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    """A gateway's buffer sent back an hour late, its second half first: the job finds
    half a lift, then the whole one in its place."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    readings = a_lift(loaded_site, start, 3.2, loaded_s=80)
    first, second = readings[:60], readings[60:]
    with running_ingest(settings), publisher(settings) as client:
        publish_readings(client, site_id, second)
        wait_stored(conn, site_id, len(second))
        record_lifts(conn, settings)
        [half] = lifts(conn, site_id)
        assert half[0] == start + timedelta(seconds=60)
        assert half[1] == 40.0

        publish_readings(client, site_id, first)
        wait_stored(conn, site_id, len(readings))
    record_lifts(conn, settings)

    [lift] = lifts(conn, site_id)
    assert lift[0] == start + timedelta(seconds=20)
    assert lift[1] == 80.0
    assert lift[2] == pytest.approx(3.22)
    assert lift[12] == 3
