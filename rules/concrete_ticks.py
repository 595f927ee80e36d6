"""Every 5 minutes, each site's pours begun within the last 28 days are read
(concrete/report.py) and judged by the concrete rules (rules/concrete_alerts.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from concrete.model import TaskConcrete
from concrete.report import pours_curing, task_concrete
from core.db import Connection
from core.runner import Job
from rules.sites import Sites

log = logging.getLogger(__name__)
CONCRETE_EVERY_S = 300.0


class ConcreteTicks:
    def __init__(self, sites: Sites) -> None:
        self._sites = sites

    def jobs(self) -> Sequence[Job]:
        return [Job("concrete", CONCRETE_EVERY_S, self.judge, first_after_s=0.0)]

    def judge(self, conn: Connection) -> None:
        with self._sites.lock:
            for site, engine in self._sites.engines.items():
                if not engine.concrete_rules:
                    continue
                now = datetime.now(UTC)
                pours: list[TaskConcrete] = []
                for task in pours_curing(conn, site, now):
                    found = task_concrete(conn, site, task, now)
                    if found is not None:
                        pours.append(found)
                self._sites.write(conn, engine, engine.concrete(pours, now))
