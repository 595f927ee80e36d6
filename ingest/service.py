"""`sitepulse ingest`: collect messages into batches and decode them (the hot loop); the
committer writes each batch in one transaction, then acknowledges its messages in
arrival order. Beside the loop, named jobs poll the registry and sweep for devices gone
silent. Stops cleanly on SIGTERM: batches handed over are committed and acknowledged."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from core.db import Connection, connect, database_errors
from core.errors import DatabaseUnavailable
from core.migrate import check_ready
from core.runner import Job, Loop, Runner, Service, run_until_signalled
from core.settings import Settings
from ingest.committer import MAX_BACKOFF_S, Committer, IngestCounters
from ingest.consumer import Consumer, Inbound
from ingest.decode import Decoded, DecodeLimits, decode_message
from ingest.registry import Registry, current_version, load_registry
from ingest.writer import mark_offline

log = logging.getLogger(__name__)

REGISTRY_POLL_S = 1.0
OFFLINE_SWEEP_S = 10.0


class IngestService(Service):
    name = "ingest"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.instance = settings.ingest_client_id
        self.counters: IngestCounters = IngestCounters()
        self.consumer = Consumer(settings)
        self.registry = Registry()
        self.limits = DecodeLimits.from_settings(settings)
        self.committer: Committer | None = None

    def start(self, stopping: threading.Event) -> None:
        """Wait for the database, load the registry; then the committer and the session."""
        self.registry = _wait_for_registry(self.settings, stopping)
        log.info(
            "registry version %d: %d devices", self.registry.version, len(self.registry.devices)
        )
        self.committer = Committer(self.settings, self.consumer.ack, stopping, self.counters)
        self.committer.start()
        self.consumer.start()

    def loops(self) -> Sequence[Loop]:
        return [Loop("batches", self._collect_and_hand_over)]

    def jobs(self) -> Sequence[Job]:
        return [
            Job("registry", REGISTRY_POLL_S, self._poll_registry, first_after_s=0.0),
            Job("offline", OFFLINE_SWEEP_S, self._sweep_offline, first_after_s=0.0),
        ]

    def gauges(self) -> Mapping[str, float]:
        inbox = self.consumer.inbox
        return {
            "inbox_messages": len(inbox),
            "inbox_bytes": inbox.bytes,
            "dropped_qos0_total": inbox.dropped,
            "broker_connected": float(self.consumer.connected.is_set()),
        }

    def close(self) -> None:
        # Batches handed over are committed and acknowledged; messages still in the
        # inbox are not: the broker redelivers them to this session when it comes
        # back, so a stop takes a batch or two, not the whole backlog.
        if self.committer is not None:
            self.committer.close()
        self.consumer.stop()

    def _collect_and_hand_over(self, stopping: threading.Event) -> None:
        assert self.committer is not None
        while not stopping.is_set():
            messages, decoded = self._collect(stopping)
            if messages and not self.committer.submit((messages, decoded)):
                break
        if self.committer.failure is not None:
            raise self.committer.failure

    def _collect(self, stopping: threading.Event) -> tuple[list[Inbound], list[Decoded]]:
        inbox = self.consumer.inbox
        max_readings = self.settings.ingest_batch_readings
        max_messages = max(1, self.settings.ingest_receive_maximum // 4)
        age_s = self.settings.ingest_batch_age_ms / 1000
        messages: list[Inbound] = []
        decoded: list[Decoded] = []
        items = 0
        # The age limit counts from the first message's arrival, and is only waited for
        # when the inbox is empty: a backlog is drained in full batches, not one by one.
        deadline = time.time() + 0.1  # idle: look at the stop event now and then
        while items < max_readings and len(messages) < max_messages:
            message = inbox.take()
            if message is None:
                if time.time() >= deadline or stopping.is_set():
                    break
                # Idle, a short nap; in a batch, a shorter one (the deadline is near).
                time.sleep(0.001 if messages else 0.005)
                continue
            if not messages:
                deadline = message.received_at + age_s
            received_at = datetime.fromtimestamp(message.received_at, UTC)
            result = decode_message(
                message.topic,
                message.payload,
                received_at,
                self.registry,
                retained=message.retained,
                limits=self.limits,
            )
            messages.append(message)
            decoded.append(result)
            items += result.reading_count + len(result.dead) + len(result.statuses)
        return messages, decoded

    def _poll_registry(self, conn: Connection) -> None:
        if current_version(conn) != self.registry.version:
            self.registry = load_registry(conn)
            log.info(
                "registry changed: version %d, %d devices",
                self.registry.version,
                len(self.registry.devices),
            )

    def _sweep_offline(self, conn: Connection) -> None:
        gone = mark_offline(conn, self.settings.offline_timeout_s)
        if gone:
            log.info("offline (no data): %s", ", ".join(sorted(gone)[:20]))


def _wait_for_registry(settings: Settings, stopping: threading.Event) -> Registry:
    """The registry, once the database answers and its schema is current; while it does
    not answer, retry with backoff (a stop meanwhile raises)."""
    delay = 0.5
    while True:
        try:
            with database_errors(), connect(settings) as conn:
                check_ready(conn)
                return load_registry(conn)
        except DatabaseUnavailable as exc:
            if stopping.is_set():
                raise
            log.warning("%s; retrying in %.1f s", exc, delay)
            stopping.wait(delay)
            delay = min(delay * 2, MAX_BACKOFF_S)


def run_ingest(settings: Settings, *also: Service) -> int:
    """Ingest, and the services `also` hosted in the same process (the storage jobs)."""
    return run_until_signalled(Runner(settings, IngestService(settings), *also))
