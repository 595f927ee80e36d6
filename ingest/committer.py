"""The committer thread: writes each batch in one transaction and then acknowledges its
messages, in the order the batches were handed over, while the service's thread decodes
the next batch. Holds, without acknowledging, while the database is away."""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.db import Connection, connect, refusal_of, translate
from core.errors import DatabaseUnavailable
from core.service_metrics import Counters
from core.settings import Settings
from core.text import printable
from core.topics import site_of
from ingest.consumer import Inbound
from ingest.decode import Decoded
from ingest.writer import WriteResult, prepare, write_batch

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 10.0
Batch = tuple[list[Inbound], list[Decoded]]


@dataclass
class IngestCounters(Counters):
    messages: int = 0
    readings: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0
    # messages that could be neither stored nor dead-lettered (none, by design)
    lost: int = 0


class Committer:
    def __init__(
        self,
        settings: Settings,
        ack: Callable[[list[Inbound]], None],
        stopping: threading.Event,
        counters: IngestCounters | None = None,
    ) -> None:
        self.settings = settings
        self.counters = IngestCounters() if counters is None else counters
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
        """Write what was handed over (unless the database is away), then stop. Never
        blocks past `timeout`: the committer may have ended with a batch still queued."""
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            try:
                self._queue.put(None, timeout=0.2)
                break
            except queue.Full:
                continue
        if self._thread.is_alive():
            self._thread.join(max(deadline - time.monotonic(), 0))
        if self._thread.is_alive():
            log.warning(
                "the committer did not finish within %.0f s; its batch stays unacknowledged",
                timeout,
            )
        elif self._conn is not None:
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
            try:
                prepare(self._conn)
            except Exception as exc:
                raise translate(exc) from exc
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def _commit(self, messages: list[Inbound], decoded: list[Decoded]) -> bool:
        """Write the batch, holding it while the database is away; what the database
        refuses becomes dead letters. Only then are the messages acknowledged."""
        pending = list(decoded)
        total = WriteResult(0, 0, 0)
        delay = 0.5
        while pending:
            try:
                total += self._write(pending)
            except DatabaseUnavailable as exc:
                self._drop_connection()
                log.warning(
                    "%s: %d messages held unacknowledged, retry in %.1f s",
                    exc,
                    len(messages),
                    delay,
                )
                if self._stopping.wait(delay):
                    return False
                delay = min(delay * 2, MAX_BACKOFF_S)
        self._ack(messages)
        c = self.counters
        c.messages += len(messages)
        c.readings += total.readings
        c.stored += total.stored
        c.duplicates += total.readings - total.stored
        c.dead_letters += total.dead_letters
        c.batches += 1
        return True

    def _write(self, pending: list[Decoded]) -> WriteResult:
        """Write `pending` in one transaction, or message by message when the database
        refuses the batch; each message leaves `pending` once committed."""
        try:
            result = write_batch(self._connection(), pending)
        except Exception as exc:
            refusal = refusal_of(exc)
            log.warning("batch refused by the database (%s); writing message by message", refusal)
        else:
            pending.clear()
            return result
        total = WriteResult(0, 0, 0)
        while pending:
            total += self._write_one(pending[0])
            pending.pop(0)
        return total

    def _write_one(self, message: Decoded) -> WriteResult:
        """One message, or its dead letter when the database refuses it: the message the
        database refuses cannot hold back the others."""
        try:
            return write_batch(self._connection(), [message])
        except Exception as exc:
            refusal = refusal_of(exc)
        log.warning(
            "message on %s refused by the database: %s", printable(message.topic, 200), refusal
        )
        letter = Decoded(message.topic, message.payload, message.received_at)
        letter.oversize = message.oversize
        letter.refuse(f"database refused the message: {refusal}", "", site_of(message.topic))
        try:
            return write_batch(self._connection(), [letter])
        except Exception as exc:
            last = refusal_of(exc)
            # Cannot happen by design (a letter holds only printable, bounded text and
            # bytes); if it does, hold nothing back: say so loudly, with what identifies it.
            log.exception(
                "message on %s (sha256 %s, %d bytes) could not even be dead-lettered: %s",
                printable(message.topic, 200),
                hashlib.sha256(message.payload).hexdigest(),
                len(message.payload),
                last,
            )
            self.counters.lost += 1
            return WriteResult(0, 0, 0)
