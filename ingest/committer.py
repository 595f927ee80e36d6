"""The committer thread: writes each batch in one transaction and then acknowledges its
messages, in the order the batches were handed over, while the service's thread decodes
the next batch. Holds, without acknowledging, while the database is away."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from core.db import Connection, connect
from core.errors import DatabaseUnavailable, first_line
from core.settings import Settings
from core.topics import site_of
from ingest.consumer import Inbound
from ingest.decode import DeadLetter, Decoded
from ingest.writer import WriteResult, prepare, write_batch

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 10.0
Batch = tuple[list[Inbound], list[Decoded]]


@dataclass
class Counters:
    messages: int = 0
    readings: int = 0
    stored: int = 0
    dead_letters: int = 0
    batches: int = 0


class Committer:
    def __init__(
        self,
        settings: Settings,
        ack: Callable[[list[Inbound]], None],
        stopping: threading.Event,
    ) -> None:
        self.settings = settings
        self.counters = Counters()
        self.failure: BaseException | None = None
        self._ack = ack
        self._stopping = stopping
        # One batch being written, one waiting: decoding runs at most one batch ahead.
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
        self._conn: Connection | None = None
        self._thread = threading.Thread(target=self._run, name="committer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, batch: Batch) -> bool:
        """Hand a batch over; False if the committer has failed (the batch is not taken)."""
        while self._thread.is_alive():
            try:
                self._queue.put(batch, timeout=0.2)
            except queue.Full:
                continue
            return True
        return False

    def close(self, timeout: float = 60.0) -> None:
        """Write what was handed over (unless the database is away), then stop."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
        if self._conn is not None:
            self._conn.close()

    def _run(self) -> None:
        try:
            while (batch := self._queue.get()) is not None:
                messages, decoded = batch
                if not self._commit(messages, decoded):
                    return  # stopping while the database is away: the broker keeps them
        except BaseException as exc:
            log.exception("committer failed")
            self.failure = exc
            self._stopping.set()

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.settings)
            prepare(self._conn)
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def _commit(self, messages: list[Inbound], decoded: list[Decoded]) -> bool:
        delay = 0.5
        while True:
            try:
                result = write_batch(self._connection(), decoded)
                break
            except (psycopg.OperationalError, DatabaseUnavailable) as exc:
                self._drop_connection()
                log.warning(
                    "database unavailable (%s): %d messages held unacknowledged, retry in %.1f s",
                    first_line(exc),
                    len(messages),
                    delay,
                )
                if self._stopping.wait(delay):
                    return False
                delay = min(delay * 2, MAX_BACKOFF_S)
            except psycopg.Error:
                log.exception("batch refused by the database; writing message by message")
                result = self._write_singly(decoded)
                break
        self._ack(messages)
        c = self.counters
        c.messages += len(messages)
        c.readings += result.readings
        c.stored += result.stored
        c.dead_letters += result.dead_letters
        c.batches += 1
        return True

    def _write_singly(self, decoded: list[Decoded]) -> WriteResult:
        """Isolate the message the database refuses, so that it cannot block the rest."""
        readings = stored = dead = 0
        for message in decoded:
            try:
                result = write_batch(self._connection(), [message])
            except psycopg.OperationalError:
                raise
            except psycopg.Error as exc:
                refused = Decoded(message.topic, message.payload, message.received_at)
                refused.dead.append(_database_refusal(message, exc))
                result = write_batch(self._connection(), [refused])
            readings += result.readings
            stored += result.stored
            dead += result.dead_letters
        return WriteResult(readings, stored, dead)


def _database_refusal(message: Decoded, exc: psycopg.Error) -> DeadLetter:
    reason = f"database refused the message: {first_line(exc)}"
    return DeadLetter(
        message.topic, site_of(message.topic), message.payload, "", reason, message.received_at
    )
