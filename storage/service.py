"""The storage jobs as a service of their own: rollups (first at start), retention
(first 30 s after it) and crane lifts (records/, first at start), hosted by `sitepulse
rules` unless told not to, or by any process. The advisory locks let several processes
host them: one runs each turn."""

from __future__ import annotations

from collections.abc import Sequence

from core.db import Connection
from core.runner import Job, Service
from core.settings import Settings
from storage.jobs import run_lifts, run_retention, run_rollups

RETENTION_AFTER_START_S = 30.0


class StorageService(Service):
    name = "storage"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def jobs(self) -> Sequence[Job]:
        return [
            Job("rollups", self.settings.rollup_interval_s, self.rollups, first_after_s=0.0),
            Job(
                "retention",
                self.settings.retention_interval_s,
                self.retention,
                first_after_s=RETENTION_AFTER_START_S,
            ),
            Job("lifts", self.settings.lifts_interval_s, self.lifts, first_after_s=0.0),
        ]

    def rollups(self, conn: Connection) -> None:
        run_rollups(conn, self.settings)

    def retention(self, conn: Connection) -> None:
        run_retention(conn, self.settings)

    def lifts(self, conn: Connection) -> None:
        run_lifts(conn, self.settings)
