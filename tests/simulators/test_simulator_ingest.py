"""The simulator with every fault switched on, through the real broker and ingest: each
refused message is one dead letter, each duplicate is stored once, nothing else is lost."""

from __future__ import annotations

from datetime import UTC, datetime

from core.db import Connection
from core.settings import Settings
from simulators.faults import FaultInjector, FaultRates
from simulators.mqtt_out import Publisher
from simulators.site_sim import SiteSimulation
from sites.site_file import SiteFile
from tests.helpers import rows, running_ingest, wait_for

MORNING = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, in the past

STORED = """
SELECT device_id, (extract(epoch FROM ts) * 1000)::bigint FROM crane_readings
UNION ALL SELECT device_id, (extract(epoch FROM ts) * 1000)::bigint FROM tag_readings
UNION ALL SELECT device_id, (extract(epoch FROM ts) * 1000)::bigint FROM env_readings
"""


def test_every_injected_fault_is_accounted_for_by_ingest(
    settings: Settings, conn: Connection, loaded_site: SiteFile
) -> None:
    simulation = SiteSimulation(loaded_site, seed=11, start=MORNING)
    injector = FaultInjector(FaultRates.parse("all=0.04"), seed=11)
    with running_ingest(settings):
        publisher = Publisher(settings)
        try:
            for _ in range(20 * 60):
                for message in injector.apply(simulation.step(), simulation.t):
                    publisher.publish(message.topic, message.payload, retain=message.retain)
            for message in injector.flush():
                publisher.publish(message.topic, message.payload)
        finally:
            publisher.close()
        report = injector.report
        expected_dead = set(report.dead)
        wait_for(
            lambda: len(rows(conn, STORED)),
            lambda n: n >= len(report.readings),
            timeout=60,
            what=f"{len(report.readings)} readings",
        )
        wait_for(
            lambda: len(rows(conn, "SELECT id FROM dead_letters")),
            lambda n: n >= len(expected_dead),
            timeout=30,
            what=f"{len(expected_dead)} dead letters",
        )

    injected = report.injected
    for fault in (
        "duplicate",
        "out_of_order",
        "late",
        "malformed",
        "out_of_range",
        "unknown_device",
        "future_ts",
        "clock_skew",
    ):
        assert injected[fault] > 0, f"no {fault} injected: the run tested nothing of it"
    stored = rows(conn, STORED)
    assert len(stored) == len(set(stored))
    assert set(stored) == report.readings
    letters = rows(
        conn,
        "SELECT l.topic, p.payload, l.repeats FROM dead_letters AS l"
        " JOIN dead_letter_payloads AS p ON p.sha256 = l.payload_sha256",
    )
    assert {(topic, bytes(payload)) for topic, payload, _ in letters} == expected_dead
    assert all(repeats == 1 for _, _, repeats in letters)
