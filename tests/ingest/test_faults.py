"""Nothing lost, nothing stored twice: ingest as separate processes, killed with -9,
stopped with SIGTERM, two at once on the shared subscription, PostgreSQL restarted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.db import Connection
from core.settings import Settings
from sites.site_file import SiteFile
from tests.helpers import REPO, publish, publisher, rows, wait_for

T0_MS = int(datetime(2026, 11, 23, 0, 0, tzinfo=UTC).timestamp() * 1000)
pytestmark = pytest.mark.slow


class IngestProcess:
    def __init__(self, settings: Settings, client_id: str, log: Path) -> None:
        self.log = log
        env = {
            **os.environ,
            "SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(),
            "SITEPULSE_MQTT_URL": settings.mqtt_url.get_secret_value(),
            "SITEPULSE_INGEST_CLIENT_ID": client_id,
            "SITEPULSE_INGEST_GROUP": settings.ingest_group,
            "SITEPULSE_INGEST_SITE_FILTER": settings.ingest_site_filter,
            "SITEPULSE_INGEST_SESSION_EXPIRY_S": "600",
        }
        starts = log.read_text().count("connected to") if log.exists() else 0
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sitepulse", "ingest"],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        wait_for(
            lambda: self.log.read_text().count("connected to"),
            lambda n: n > starts,
            what="ingest connected",
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(60)
        self._out.close()
        return code

    def messages_handled(self) -> int:
        found = re.findall(r"stopped: (\d+) messages", self.log.read_text())
        return int(found[-1]) if found else -1


@pytest.fixture
def ingest_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ingest.log"
    yield path
    if path.exists():  # shown by pytest on failure
        print(path.read_text()[-4000:])


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
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, ingest_log: Path
) -> None:
    total = 200_000
    first = IngestProcess(settings, f"ingest-{site_id}", ingest_log)
    sender = stream(settings, conn, total, until=total // 4)
    first.stop(signal.SIGKILL)
    killed_at = tag_count(conn)
    assert killed_at < total, "the stream ended before the kill; nothing was tested"
    sender.join(180)
    second = IngestProcess(settings, f"ingest-{site_id}", ingest_log)
    wait_for(lambda: tag_count(conn), lambda n: n >= total, timeout=180, what="all readings")
    assert second.stop() == 0
    assert tag_count(conn) == total  # and (device_id, ts) is unique: each reading once


def test_a_postgresql_restart_in_the_middle_of_a_stream_loses_and_duplicates_nothing(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, ingest_log: Path
) -> None:
    total = 200_000  # long enough that the restart lands mid-stream
    ingest = IngestProcess(settings, f"ingest-{site_id}", ingest_log)
    sender = stream(settings, conn, total, until=total // 5)
    subprocess.run([str(REPO / "deploy/debian/services.sh"), "restart-postgres"], check=True)
    sender.join(180)
    conn.close()
    with Connection.connect(settings.database_url.get_secret_value(), autocommit=True) as fresh:
        wait_for(lambda: tag_count(fresh), lambda n: n >= total, timeout=180, what="all readings")
        assert ingest.stop() == 0
        assert tag_count(fresh) == total
    log = ingest_log.read_text()
    # the restart was seen (a batch held), not slipped between batches
    assert "messages held unacknowledged" in log


def test_two_ingest_processes_on_the_shared_subscription_store_every_reading_once(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, ingest_log: Path
) -> None:
    total = 20_000
    a = IngestProcess(settings, f"ingest-a-{site_id}", ingest_log)
    b = IngestProcess(settings, f"ingest-b-{site_id}", ingest_log.with_name("b.log"))
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
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, ingest_log: Path
) -> None:
    total = 200_000
    ingest = IngestProcess(settings, f"ingest-{site_id}", ingest_log)
    sender = stream(settings, conn, total, until=total // 5)
    assert ingest.stop() == 0
    stopped_at = tag_count(conn)
    assert stopped_at < total, "the stream ended before the stop; nothing was tested"
    assert ingest.messages_handled() * 100 == stopped_at  # every message handled was committed
    sender.join(180)
    again = IngestProcess(settings, f"ingest-{site_id}", ingest_log)
    wait_for(lambda: tag_count(conn), lambda n: n >= total, timeout=120, what="all readings")
    assert again.stop() == 0
    assert tag_count(conn) == total
    with publisher(settings) as pub:  # the broker is still fine with us
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", b'{"temp_c": 1}')


def test_two_ingest_processes_one_killed_mid_stream_store_every_reading_once(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, ingest_log: Path
) -> None:
    total = 200_000
    a = IngestProcess(settings, f"ingest-a-{site_id}", ingest_log)
    b = IngestProcess(settings, f"ingest-b-{site_id}", ingest_log.with_name("b.log"))
    sender = stream(settings, conn, total, until=total // 4)
    a.stop(signal.SIGKILL)
    assert tag_count(conn) < total, "the stream ended before the kill; nothing was tested"
    sender.join(180)
    # what the broker had handed to the killed process waits in its persistent session
    again = IngestProcess(settings, f"ingest-a-{site_id}", ingest_log)
    wait_for(lambda: tag_count(conn), lambda n: n >= total, timeout=180, what="all readings")
    assert again.stop() == 0
    assert b.stop() == 0
    assert b.messages_handled() > 0, "the surviving process took no share"
    assert tag_count(conn) == total  # and (device_id, ts) is unique: each reading once
