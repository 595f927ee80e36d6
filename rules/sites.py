"""The sites the rules service judges: an engine each, under one lock (live passes, ticks
and reloads take turns), and the one place their transitions are written and counted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from core.db import Connection
from core.service_metrics import Counters
from core.settings import Settings
from rules.alerts import write_transitions
from rules.engine import SiteEngine, Transition

log = logging.getLogger(__name__)


@dataclass
class RulesCounters(Counters):
    passes: int = 0
    readings_judged: int = 0
    transitions: int = 0
    delivered: int = 0
    delivery_failures: int = 0
    escalations: int = 0
    pass_seconds: float = 0.0


class Sites:
    def __init__(
        self, settings: Settings, counters: RulesCounters, on_events: Callable[[], None]
    ) -> None:
        self.engines: dict[str, SiteEngine] = {}
        self.lock = threading.Lock()
        self.counters = counters
        self._flap_window = timedelta(seconds=settings.rules_flap_window_s)
        self._on_events = on_events

    def write(self, conn: Connection, engine: SiteEngine, transitions: list[Transition]) -> None:
        """Write an engine's transitions; alert events written wake the notifier."""
        if not transitions:
            return
        written = write_transitions(conn, engine.ctx, transitions, self._flap_window)
        self.counters.transitions += len(transitions)
        events = [w for w in written if w.event]
        if events:
            log.info(
                "%s: %s",
                engine.ctx.site_id,
                ", ".join(f"alert {w.alert_id} {w.event}" for w in events),
            )
            self._on_events()
