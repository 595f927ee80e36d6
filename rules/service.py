"""`sitepulse rules`: judging each commit as its NOTIFY arrives (the listener), what the
clock decides (ticks), delivery and escalation (the notifier), reloads of what changed;
composed into one service for the runner. Stops cleanly on SIGTERM."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from core.db import connect, database_errors
from core.migrate import check_ready
from core.runner import Job, Loop, Runner, Service, run_until_signalled
from core.settings import Settings
from rules.concrete_ticks import ConcreteTicks
from rules.listener import Listener
from rules.notifier import Notifier
from rules.reloader import Reloader
from rules.sites import RulesCounters, Sites
from rules.ticks import Ticks


class RulesService(Service):
    name = "rules"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.instance = f"rules-{settings.rules_site_filter}"
        self.counters: RulesCounters = RulesCounters()
        self.notifier = Notifier(settings, self.counters)
        self.sites = Sites(settings, self.counters, on_events=self.notifier.wake)
        self.reloader = Reloader(settings, self.sites, self.notifier)
        self.ticks = Ticks(self.sites)
        self.listener = Listener(settings, self.sites)

    @property
    def listening(self) -> threading.Event:
        return self.listener.listening

    def start(self, stopping: threading.Event) -> None:
        with database_errors(), connect(self.settings) as conn:
            check_ready(conn)
            self.reloader.reload(conn, force=True)

    def jobs(self) -> Sequence[Job]:
        return [
            *self.reloader.jobs(),
            *self.ticks.jobs(),
            *ConcreteTicks(self.sites).jobs(),
            *self.notifier.jobs(),
        ]

    def loops(self) -> Sequence[Loop]:
        return [Loop("listener", self.listener.run)]

    def gauges(self) -> Mapping[str, float]:
        return {"sites": float(len(self.sites.engines))}


def run_rules(settings: Settings, *also: Service) -> int:
    """The rules, and the services `also` hosted in the same process (the storage jobs)."""
    return run_until_signalled(Runner(settings, RulesService(settings), *also))
