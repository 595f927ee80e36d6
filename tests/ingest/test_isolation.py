"""What the database refuses stays with the message that caused it (issue 12): a refused
message is a dead letter and the stream goes on; only the database being away holds a
batch; replay goes message by message; a fast device clock cannot hold values still."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.db import Connection
from core.settings import Settings
from ingest.committer import Committer
from ingest.consumer import Inbound
from ingest.dead_letters import list_dead_letters, replay_dead_letters
from ingest.decode import Decoded, decode_message
from ingest.registry import load_registry
from sites.site_file import SiteFile, parse_site_file
from sites.store import apply_site
from tests.helpers import publish, publisher, rows, running_ingest, site_yaml, wait_for

# A probe's value the database refuses (a rule a DBA added, say), with the SQLSTATE given.
REFUSE = """
CREATE FUNCTION refuse_probe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.temp_c = 42.5 THEN
        RAISE EXCEPTION 'probe value refused' USING ERRCODE = '{code}';
    END IF;
    IF NEW.temp_c = 2.5 AND EXISTS (SELECT FROM hold_probe) THEN
        RAISE EXCEPTION 'terminating connection' USING ERRCODE = '57P01';
    END IF;
    IF NEW.temp_c = 7.5 THEN
        PERFORM pg_sleep(30);
    END IF;
    RETURN NEW;
END $$;
CREATE TABLE hold_probe (x int);
CREATE TRIGGER refuse_probe BEFORE INSERT ON env_readings
    FOR EACH ROW EXECUTE FUNCTION refuse_probe();
"""


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def refuse_with(conn: Connection, code: str) -> None:
    conn.execute(REFUSE.replace("{code}", code))


def env_message(site_id: str, device: str, ts: datetime, temp_c: float) -> tuple[str, bytes]:
    topic = f"site/{site_id}/env/{device}/telemetry"
    return topic, json.dumps({"ts": ms(ts), "temp_c": temp_c}).encode()


@pytest.mark.parametrize(
    "code",
    ["54000", "22023", "23514", "XX000"],
    ids=["program-limit", "data", "check", "internal"],
)
def test_a_message_the_database_refuses_is_a_dead_letter_and_the_stream_goes_on(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, code: str
) -> None:
    # 54000 is an OperationalError to the driver: it was taken for an outage, and ingest
    # retried it for ever, storing nothing more.
    refuse_with(conn, code)
    now = datetime.now(UTC)
    with running_ingest(settings) as service, publisher(settings) as pub:
        for i, temp in enumerate([20.0, 42.5, 21.0]):
            publish(pub, *env_message(site_id, "env-2f-01", now + timedelta(seconds=i), temp))
        wait_for(lambda: rows(conn, "SELECT count(*) FROM env_readings")[0][0], lambda n: n == 2)
        wait_for(lambda: service.counters.messages, lambda n: n == 3, what="3 messages acked")
        publish(pub, *env_message(site_id, "env-2f-01", now + timedelta(seconds=5), 22.0))
        wait_for(lambda: rows(conn, "SELECT count(*) FROM env_readings")[0][0], lambda n: n == 3)
    letters = list_dead_letters(conn)
    assert len(letters) == 1
    assert letters[0].reason.startswith("database refused the message: ")
    assert "probe value refused" in letters[0].reason
    stored = rows(conn, "SELECT temp_c FROM env_readings ORDER BY ts")
    assert stored == [(20.0,), (21.0,), (22.0,)]


def decoded(conn: Connection, site_id: str, temps: list[float]) -> list[Decoded]:
    registry = load_registry(conn)
    now = datetime.now(UTC)
    return [
        decode_message(
            *env_message(site_id, "env-2f-01", now + timedelta(seconds=i), temp), now, registry
        )
        for i, temp in enumerate(temps)
    ]


def inbound(count: int) -> list[Inbound]:
    return [Inbound(i + 1, 1, "t", b"", False, time.time()) for i in range(count)]


@pytest.fixture
def committer(settings: Settings) -> Iterator[tuple[Committer, list[list[Inbound]]]]:
    acked: list[list[Inbound]] = []
    stopping = threading.Event()
    committer = Committer(settings, acked.append, stopping)
    yield committer, acked
    stopping.set()
    committer.close(timeout=5)


def test_the_database_going_away_during_the_one_by_one_pass_holds_the_batch(
    conn: Connection,
    site_id: str,
    loaded_site: SiteFile,
    committer: tuple[Committer, list[list[Inbound]]],
) -> None:
    # The batch is refused (22023 for 1.5), so it is written message by message; the
    # second message then meets the database going away (57P01). That used to escape
    # and end the process; it must hold the batch and retry until the database is back.
    refuse_with(conn, "22023")
    conn.execute("INSERT INTO hold_probe VALUES (1)")
    conn.execute(
        "CREATE OR REPLACE FUNCTION refuse_first() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF NEW.temp_c = 1.5 THEN RAISE EXCEPTION 'no' USING ERRCODE = '22023';"
        " END IF; RETURN NEW; END $$;"
        " CREATE TRIGGER a_refuse_first BEFORE INSERT ON env_readings"
        " FOR EACH ROW EXECUTE FUNCTION refuse_first();"
    )
    service, acked = committer
    messages = inbound(3)
    done = threading.Event()

    def commit() -> None:
        service._commit(messages, decoded(conn, site_id, [1.5, 2.5, 3.5]))
        done.set()

    worker = threading.Thread(target=commit, daemon=True)
    worker.start()
    assert not done.wait(2.0), "committed while the database was away"
    assert acked == []
    conn.execute("DELETE FROM hold_probe")
    assert done.wait(30), "the batch was not written after the database came back"
    assert acked == [messages]
    assert rows(conn, "SELECT temp_c FROM env_readings ORDER BY ts") == [(2.5,), (3.5,)]
    assert [d.reason for d in list_dead_letters(conn)] == [
        "database refused the message: InvalidParameterValue: no"
    ]


def test_close_returns_while_the_committer_is_stuck_with_a_batch_queued(
    conn: Connection, site_id: str, loaded_site: SiteFile, settings: Settings
) -> None:
    refuse_with(conn, "22023")  # 7.5 makes the insert sleep 30 s
    stopping = threading.Event()
    service = Committer(settings, lambda _: None, stopping)
    service.start()
    assert service.submit((inbound(1), decoded(conn, site_id, [7.5])))
    time.sleep(0.5)  # the committer is inside the slow insert
    assert service.submit((inbound(1), decoded(conn, site_id, [8.5])))  # queued
    stopping.set()
    started = time.monotonic()
    closer = threading.Thread(target=service.close, kwargs={"timeout": 3.0}, daemon=True)
    closer.start()
    closer.join(15)
    assert not closer.is_alive(), "close() blocked on the full queue"
    assert time.monotonic() - started < 10


def add_devices(conn: Connection, site_id: str, *devices: str) -> None:
    extra = "".join(f"  - {{id: {d}, kind: env, floor: 2}}\n" for d in devices)
    text = site_yaml(site_id).replace("devices:\n", "devices:\n" + extra, 1)
    apply_site(conn, parse_site_file(text, "site.yaml"))


def test_replay_goes_message_by_message_and_reports_what_the_database_refused(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    now = datetime.now(UTC)
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, *env_message(site_id, "env-new-01", now, 20.0))
        publish(pub, *env_message(site_id, "env-new-02", now, 42.5))
        publish(pub, *env_message(site_id, "env-new-03", now, 21.0))
        wait_for(lambda: len(list_dead_letters(conn)), lambda n: n == 3, what="3 dead letters")
    add_devices(conn, site_id, "env-new-01", "env-new-02", "env-new-03")
    refuse_with(conn, "23514")

    first = replay_dead_letters(conn)
    assert (first.replayed, first.still_failing, first.readings) == (2, 1, 2)
    assert len(first.failures) == 1
    assert "probe value refused" in first.failures[0].reason
    stored = rows(conn, "SELECT device_id FROM env_readings ORDER BY device_id")
    assert stored == [("env-new-01",), ("env-new-03",)]

    conn.execute("DROP TRIGGER refuse_probe ON env_readings")
    second = replay_dead_letters(conn)
    assert (second.replayed, second.still_failing, second.readings, second.failures) == (
        1,
        0,
        1,
        [],
    )
    assert replay_dead_letters(conn).replayed == 0  # nothing twice


def test_a_batch_of_refused_readings_keeps_its_payload_once(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    now = datetime.now(UTC)
    batch = [{"ts": ms(now) + i, "temp_c": 500.0} for i in range(10_000)]
    payload = json.dumps(batch).encode()
    with running_ingest(settings) as service, publisher(settings) as pub:
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", payload)
        wait_for(lambda: service.counters.messages, lambda n: n == 1, what="the batch")
        assert service.counters.dead_letters == 10_000
    assert rows(conn, "SELECT count(*), sum(size_bytes) FROM dead_letter_payloads") == [
        (1, len(payload))
    ]
    assert rows(conn, "SELECT count(*) FROM dead_letters") == [(101,)]
    last = rows(conn, "SELECT reason FROM dead_letters WHERE item = '[...]'")[0][0]
    assert last.startswith("9900 more items refused beyond the first 100 (the first: temp_c=")


def test_a_fast_clock_does_not_hold_the_devices_values_still(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    now = datetime.now(UTC)
    state = "SELECT latest->>'temp_c', round(clock_ahead_s) FROM device_state WHERE device_id = %s"
    with running_ingest(settings), publisher(settings) as pub:
        publish(pub, *env_message(site_id, "env-2f-01", now + timedelta(minutes=4), 10.0))
        wait_for(lambda: rows(conn, state, "env-2f-01"), lambda r: r == [("10", 240.0)])
        publish(pub, *env_message(site_id, "env-2f-01", datetime.now(UTC), 20.0))
        wait_for(lambda: rows(conn, state, "env-2f-01"), lambda r: r == [("20", 0.0)])
        # A late reading (older than both) still does not overwrite the newest.
        publish(pub, *env_message(site_id, "env-2f-01", now - timedelta(minutes=1), 5.0))
        wait_for(lambda: rows(conn, "SELECT count(*) FROM env_readings")[0][0], lambda n: n == 3)
    assert rows(conn, state, "env-2f-01") == [("20", 0.0)]


def test_an_oversize_message_is_kept_truncated_with_its_size_and_hash(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    small = settings.model_copy(update={"ingest_max_payload_bytes": 100_000})
    payload = json.dumps([{"temp_c": 20.0}] * 20_000).encode()
    with running_ingest(small), publisher(small) as pub:
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", payload)
        wait_for(lambda: len(list_dead_letters(conn)), lambda n: n == 1)
    kept = rows(
        conn, "SELECT octet_length(payload), size_bytes, truncated FROM dead_letter_payloads"
    )
    assert kept == [(64 * 1024, len(payload), True)]
    assert replay_dead_letters(conn).still_failing == 1


def test_one_batch_cannot_make_chunks_back_to_the_year_2000(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    # A reading a day for 9,000 days: past the kind's raw retention (env: 365 days) each is
    # a dead letter (kept, replayable), so the batch opens at most a year of daily chunks.
    now = datetime.now(UTC)
    batch = [{"ts": ms(now - timedelta(days=i)), "temp_c": 20.0} for i in range(9_000)]
    chunks = "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = %s"
    before = rows(conn, chunks, "env_readings")[0][0]
    with running_ingest(settings) as service, publisher(settings) as pub:
        publish(pub, f"site/{site_id}/env/env-2f-01/telemetry", json.dumps(batch).encode())
        wait_for(lambda: service.counters.messages, lambda n: n == 1, what="the batch")
    stored = rows(conn, "SELECT count(*) FROM env_readings")[0][0]
    assert stored in (365, 366)  # the reading exactly 365 days back is on the limit
    assert service.counters.dead_letters == 9_000 - stored
    assert rows(conn, chunks, "env_readings")[0][0] - before <= 367
