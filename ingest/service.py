"""`sitepulse ingest`: collect messages into batches and decode them; the committer
writes each batch in one transaction, then acknowledges its messages in arrival order.
Stops cleanly on SIGTERM."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from types import FrameType

from core.db import Connection, connect, translate
from core.errors import DatabaseUnavailable
from core.lifecycle import run_until_signalled
from core.migrate import check_ready
from core.service_metrics import report
from core.settings import Settings
from ingest.committer import MAX_BACKOFF_S, Committer, Counters
from ingest.consumer import Consumer, Inbound
from ingest.decode import Decoded, DecodeLimits, decode_message
from ingest.registry import Registry, current_version, load_registry
from ingest.writer import mark_offline

log = logging.getLogger(__name__)

REGISTRY_POLL_S = 1.0
OFFLINE_SWEEP_S = 10.0
STATS_EVERY_S = 30.0
METRICS_EVERY_S = 5.0


class IngestService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.consumer = Consumer(settings)
        self.stopping = threading.Event()
        self.registry = Registry()
        self.limits = DecodeLimits.from_settings(settings)
        self.committer = Committer(settings, self.consumer.ack, self.stopping)
        # Registry polls and offline sweeps; the committer has a connection of its own.
        self._conn: Connection | None = None
        self._next_registry_poll = 0.0
        self._next_offline_sweep = 0.0
        self._next_metrics = 0.0
        self._next_stats = time.monotonic() + STATS_EVERY_S

    @property
    def counters(self) -> Counters:
        return self.committer.counters

    def request_stop(self, signum: int = 0, _frame: FrameType | None = None) -> None:
        if not self.stopping.is_set():
            log.info("stopping (signal %s): flushing the current batch", signum)
        self.stopping.set()

    def run(self) -> None:
        self._startup()
        self.committer.start()
        self.consumer.start()
        try:
            while not self.stopping.is_set():
                messages, decoded = self._collect()
                if messages and not self.committer.submit((messages, decoded)):
                    break
                self._housekeeping()
        finally:
            # Batches handed over are committed and acknowledged; messages still in the
            # inbox are not: the broker redelivers them to this session when it comes
            # back, so a stop takes a batch or two, not the whole backlog.
            self.committer.close()
            self.consumer.stop()
            if self._conn is not None:
                self._conn.close()
            c = self.counters
            log.info(
                "stopped: %d messages, %d readings stored, %d dead letters in %d batches",
                c.messages,
                c.stored,
                c.dead_letters,
                c.batches,
            )
        if self.committer.failure is not None:
            raise self.committer.failure

    def _startup(self) -> None:
        delay = 0.5
        while True:
            try:
                conn = self._connection()
                check_ready(conn)
                self.registry = load_registry(conn)
            except DatabaseUnavailable as exc:
                if self.stopping.is_set():
                    raise
                log.warning("%s; retrying in %.1f s", exc, delay)
                self.stopping.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
                continue
            break
        log.info(
            "registry version %d: %d devices", self.registry.version, len(self.registry.devices)
        )

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.settings)
        return self._conn

    def _collect(self) -> tuple[list[Inbound], list[Decoded]]:
        inbox = self.consumer.inbox
        max_readings = self.settings.ingest_batch_readings
        max_messages = max(1, self.settings.ingest_receive_maximum // 4)
        age_s = self.settings.ingest_batch_age_ms / 1000
        messages: list[Inbound] = []
        decoded: list[Decoded] = []
        items = 0
        # The age limit counts from the first message's arrival, and is only waited for
        # when the inbox is empty: a backlog is drained in full batches, not one by one.
        deadline = time.time() + 0.1  # idle: come back for housekeeping
        while items < max_readings and len(messages) < max_messages:
            message = inbox.take()
            if message is None:
                if time.time() >= deadline or self.stopping.is_set():
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

    def _housekeeping(self) -> None:
        now = time.monotonic()
        try:
            if now >= self._next_registry_poll:
                self._next_registry_poll = now + REGISTRY_POLL_S
                conn = self._connection()
                if current_version(conn) != self.registry.version:
                    self.registry = load_registry(conn)
                    log.info(
                        "registry changed: version %d, %d devices",
                        self.registry.version,
                        len(self.registry.devices),
                    )
            if now >= self._next_metrics:
                self._next_metrics = now + METRICS_EVERY_S
                c = self.counters
                report(self._connection(), "ingest", self.settings.ingest_client_id, {
                    "messages_total": c.messages, "readings_total": c.readings,
                    "stored_total": c.stored, "duplicates_total": c.readings - c.stored,
                    "dead_letters_total": c.dead_letters, "batches_total": c.batches,
                    "inbox_messages": len(self.consumer.inbox),
                    "inbox_bytes": self.consumer.inbox.bytes,
                    "dropped_qos0_total": self.consumer.inbox.dropped,
                    "lost_total": c.lost,
                    "broker_connected": float(self.consumer.connected.is_set()),
                })  # fmt: skip
            if now >= self._next_offline_sweep:
                self._next_offline_sweep = now + OFFLINE_SWEEP_S
                gone = mark_offline(self._connection(), self.settings.offline_timeout_s)
                if gone:
                    log.info("offline (no data): %s", ", ".join(sorted(gone)[:20]))
        except Exception as exc:
            # Housekeeping is best effort: whatever fails, the stream goes on.
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            log.warning("housekeeping skipped: %s", translate(exc))
        if now >= self._next_stats:
            self._next_stats = now + STATS_EVERY_S
            c = self.counters
            log.info(
                "%d messages, %d readings (%d stored, %d duplicates), %d dead letters, %d batches",
                c.messages,
                c.readings,
                c.stored,
                c.readings - c.stored,
                c.dead_letters,
                c.batches,
            )


def run_ingest(settings: Settings) -> int:
    return run_until_signalled(IngestService(settings))
