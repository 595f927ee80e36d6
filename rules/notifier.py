"""The notifier's jobs: delivery (each second, and at once when an alert event is written)
and escalation of alerts nobody acknowledged. The notification file it follows is the
reloader's to keep current."""

from __future__ import annotations

from collections.abc import Sequence

from core.db import Connection
from core.runner import Job
from core.settings import Settings
from rules.notify.config import NotifyConfig
from rules.notify.deliver import deliver_due
from rules.notify.outbox import dispatch, escalate
from rules.sites import RulesCounters

SEND_EVERY_S = 1.0
ESCALATE_EVERY_S = 5.0


class Notifier:
    def __init__(self, settings: Settings, counters: RulesCounters) -> None:
        self.config = NotifyConfig()
        self.counters = counters
        self._max_attempts = settings.notify_max_attempts
        self._send = Job("send", SEND_EVERY_S, self.send)

    def jobs(self) -> Sequence[Job]:
        return [self._send, Job("escalate", ESCALATE_EVERY_S, self.escalate)]

    def wake(self) -> None:
        """Send now: an alert event was written."""
        self._send.wake()

    def send(self, conn: Connection) -> None:
        config = self.config  # the reloader may replace it meanwhile
        dispatch(conn, config)
        delivered, failed = deliver_due(conn, config, self._max_attempts)
        self.counters.delivered += delivered
        self.counters.delivery_failures += failed

    def escalate(self, conn: Connection) -> None:
        written = escalate(conn, self.config)
        if written:
            self.counters.escalations += written
            self.wake()
