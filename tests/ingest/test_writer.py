"""The batch writer on the real database: a batch goes straight into the hypertable; a
batch holding a reading already stored (a redelivery) or a reading twice takes the staging
path and stores each reading once; device state follows the newest reading either way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from core.db import Connection
from ingest.decode import Decoded, decode_message
from ingest.registry import load_registry
from ingest.writer import prepare, write_batch
from tests.helpers import rows

NOW = datetime.now(UTC).replace(microsecond=0)
DEVICE = "env-2f-01"


def ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def message(conn: Connection, site_id: str, readings: list[dict[str, int]]) -> Decoded:
    decoded = decode_message(
        f"site/{site_id}/env/{DEVICE}/telemetry",
        json.dumps(readings).encode(),
        NOW,
        load_registry(conn),
    )
    assert not decoded.dead, decoded.dead
    return decoded


def stored(conn: Connection) -> list[tuple[datetime, float]]:
    query = "SELECT ts, temp_c FROM env_readings WHERE device_id = %s ORDER BY ts"
    return [(ts, temp) for ts, temp in rows(conn, query, DEVICE)]


def latest(conn: Connection) -> tuple[float, datetime]:
    query = "SELECT (latest->>'temp_c')::float8, last_ts FROM device_state WHERE device_id = %s"
    ((temp, last_ts),) = rows(conn, query, DEVICE)
    return temp, last_ts


@pytest.fixture
def writer(conn: Connection) -> Connection:
    conn.autocommit = True
    prepare(conn)
    return conn


@pytest.mark.usefixtures("loaded_site")
def test_a_fresh_batch_is_stored_whole_and_sets_the_newest_state(
    writer: Connection, site_id: str
) -> None:
    first = message(
        writer, site_id, [{"ts": ms(NOW - timedelta(seconds=s)), "temp_c": s} for s in (30, 20)]
    )
    second = message(writer, site_id, [{"ts": ms(NOW - timedelta(seconds=10)), "temp_c": 10}])
    result = write_batch(writer, [first, second])
    assert (result.readings, result.stored) == (3, 3)
    assert [temp for _, temp in stored(writer)] == [30, 20, 10]
    assert latest(writer) == (10, NOW - timedelta(seconds=10))


@pytest.mark.usefixtures("loaded_site")
def test_a_redelivered_reading_is_stored_once_beside_the_new_ones(
    writer: Connection, site_id: str
) -> None:
    old = {"ts": ms(NOW - timedelta(seconds=30)), "temp_c": 30}
    write_batch(writer, [message(writer, site_id, [old])])
    again = message(writer, site_id, [old, {"ts": ms(NOW - timedelta(seconds=5)), "temp_c": 5}])
    result = write_batch(writer, [again])
    assert (result.readings, result.stored, result.duplicates) == (2, 1, 1)
    assert [temp for _, temp in stored(writer)] == [30, 5]
    assert latest(writer) == (5, NOW - timedelta(seconds=5))


@pytest.mark.usefixtures("loaded_site")
def test_a_reading_twice_in_one_batch_is_stored_once(writer: Connection, site_id: str) -> None:
    reading = {"ts": ms(NOW - timedelta(seconds=3)), "temp_c": 3}
    result = write_batch(
        writer, [message(writer, site_id, [reading]), message(writer, site_id, [reading])]
    )
    assert (result.readings, result.stored) == (2, 1)
    assert stored(writer) == [(NOW - timedelta(seconds=3), 3)]


@pytest.mark.usefixtures("loaded_site")
def test_a_reading_from_a_fast_clock_does_not_hold_the_state_on_either_path(
    writer: Connection, site_id: str
) -> None:
    # 4 minutes ahead of its arrival: it counts from its arrival (NOW), so the reading
    # stamped NOW - 1 s ... is older; one stamped after NOW by the true clock is newer.
    ahead = {"ts": ms(NOW + timedelta(minutes=4)), "temp_c": 40}
    behind = {"ts": ms(NOW - timedelta(seconds=1)), "temp_c": 1}
    write_batch(writer, [message(writer, site_id, [ahead, behind])])
    assert latest(writer) == (40, NOW + timedelta(minutes=4))
    # the same two again (the staging path) change nothing
    result = write_batch(writer, [message(writer, site_id, [behind, ahead])])
    assert result.stored == 0
    assert latest(writer) == (40, NOW + timedelta(minutes=4))
