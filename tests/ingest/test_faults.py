"""Nothing lost, nothing stored twice: ingest as separate processes, killed with -9,
stopped with SIGTERM, two at once on the shared subscription, PostgreSQL restarted."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from core.db import Connection
from core.settings import Settings
from tests.helpers import REPO, publish, publisher, rows, wait_for
from tests.ingest_process import IngestProcesses, IngestSubprocess

T0_MS = int(datetime(2026, 11, 23, 0, 0, tzinfo=UTC).timestamp() * 1000)
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("loaded_site")]


StartIngest = Callable[..., IngestSubprocess]


@pytest.fixture
def start_ingest(
    settings: Settings, site_id: str, ingest_processes: IngestProcesses
) -> StartIngest:
    """Start ingest as client `ingest-{name}-{site}` (`ingest-{site}` without a name), on
    the shared subscription of the test's group."""

    def start(name: str = "") -> IngestSubprocess:
        client_id = "-".join(part for part in ("ingest", name, site_id) if part)
        return ingest_processes.start(settings, client_id, group=settings.ingest_group)

    return start


def gateway_messages(total: int, per_message: int = 100) -> Iterator[bytes]:
    """Readings for tag-0001 and tag-0002 (children of gw-01), each with its own ts."""
    half = per_message // 2
    for start in range(0, total, per_message):
        yield json.dumps(
            {
                tag: [
                    {"ts": T0_MS + start + i, "x_m": 5.0, "y_m": 5.0, "floor": 2}
                    for i in range(half)
                ]
                for tag in ("tag-0001", "tag-0002")
            }
        ).encode()


def publish_all(settings: Settings, topic: str, payloads: Iterator[bytes]) -> threading.Thread:
    def run() -> None:
        with publisher(settings) as pub:
            infos = [pub.publish(topic, payload, qos=1) for payload in payloads]
            for info in infos:
                info.wait_for_publish(timeout=120)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def tag_count(conn: Connection) -> int:
    return int(rows(conn, "SELECT count(*) FROM tag_readings")[0][0])


def stream(settings: Settings, conn: Connection, total: int, until: int) -> threading.Thread:
    """Publish `total` readings through gw-01 in the background; return once `until` are stored."""
    topic = f"site/{settings.ingest_site_filter}/gateway/gw-01/telemetry"
    sender = publish_all(settings, topic, gateway_messages(total))
    wait_for(lambda: tag_count(conn), lambda n: n >= until, timeout=120, what=f"{until} stored")
    return sender


def test_kill_9_in_the_middle_of_200000_readings_then_restart_stores_each_once(
    settings: Settings, conn: Connection, start_ingest: StartIngest
) -> None:
    total = 200_000
    first = start_ingest()
    sender = stream(settings, conn, total, until=total // 4)
    first.stop(signal.SIGKILL)
    killed_at = tag_count(conn)
    assert killed_at < total, "the stream ended before the kill; nothing was tested"
    sender.join(180)
    second = start_ingest()
    wait_for(lambda: tag_count(conn), lambda n: n >= total, timeout=180, what="all readings")
    assert second.stop() == 0
    assert tag_count(conn) == total  # and (device_id, ts) is unique: each reading once


def test_a_postgresql_restart_in_the_middle_of_a_stream_loses_and_duplicates_nothing(
    settings: Settings, conn: Connection, start_ingest: StartIngest
) -> None:
    total = 200_000  # long enough that the restart lands mid-stream
    ingest = start_ingest()
    sender = stream(settings, conn, total, until=total // 5)
    subprocess.run([str(REPO / "deploy/debian/services.sh"), "restart-postgres"], check=True)
    sender.join(180)
    conn.close()
    with Connection.connect(settings.database_url.get_secret_value(), autocommit=True) as fresh:
        wait_for(lambda: tag_count(fresh), lambda n: n >= total, timeout=180, what="all readings")
        assert ingest.stop() == 0
        assert tag_count(fresh) == total
    # the restart was seen (a batch held), not slipped between batches
    assert "messages held unacknowledged" in ingest.log.read_text()


def test_two_ingest_processes_on_the_shared_subscription_store_every_reading_once(
    settings: Settings, conn: Connection, site_id: str, start_ingest: StartIngest
) -> None:
    total = 20_000
    a = start_ingest("a")
    b = start_ingest("b")
    topic = f"site/{site_id}/env/env-2f-01/telemetry"
    payloads = (json.dumps({"ts": T0_MS + i, "temp_c": 20.0}).encode() for i in range(total))
    publish_all(settings, topic, payloads).join(120)

    def env_count() -> int:
        return int(rows(conn, "SELECT count(*) FROM env_readings")[0][0])

    wait_for(env_count, lambda n: n >= total, timeout=120, what="all readings")
    assert a.stop() == 0  # SIGTERM: flush, commit, ack, disconnect
    assert b.stop() == 0
    assert env_count() == total
    handled = (a.messages_handled(), b.messages_handled())
    assert min(handled) > 0, f"one process did all the work: {handled}"
    assert sum(handled) == total


def test_sigterm_flushes_and_a_restart_takes_up_where_it_stopped(
    settings: Settings, conn: Connection, site_id: str, start_ingest: StartIngest
) -> None:
    total = 200_000
    ingest = start_ingest()
    sender = stream(settings, conn, total, until=total // 5)
    assert ingest.stop() == 0
    stopped_at = tag_count(conn)
    assert stopped_at < total, "the stream ended before the stop; nothing was tested"
    assert ingest.messages_handled() * 100 == stopped_at  # every message handled was committed
    sender.join(180)
    again = start_ingest()
    wait_for(lambda: tag_count(conn), lambda n: n >= total, timeout=120, what="all readings")
    assert again.stop() == 0
    assert tag_count(conn) == total
    with publisher(settings) as pub:  # the broker is still fine with us
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 1}')


def test_two_ingest_processes_one_killed_mid_stream_store_every_reading_once(
    settings: Settings, conn: Connection, start_ingest: StartIngest
) -> None:
    total = 200_000
    a = start_ingest("a")
    b = start_ingest("b")
    sender = stream(settings, conn, total, until=total // 4)
    a.stop(signal.SIGKILL)
    assert tag_count(conn) < total, "the stream ended before the kill; nothing was tested"
    sender.join(180)
    # what the broker had handed to the killed process waits in its persistent session
    again = start_ingest("a")
    wait_for(lambda: tag_count(conn), lambda n: n >= total, timeout=180, what="all readings")
    assert again.stop() == 0
    assert b.stop() == 0
    assert b.messages_handled() > 0, "the surviving process took no share"
    assert tag_count(conn) == total  # and (device_id, ts) is unique: each reading once
