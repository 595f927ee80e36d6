"""Reloads: the rule packs, each site's overrides, the registry and the notification file,
looked at each second and applied when any changed. A bad file is reported and the last
good configuration stays in force."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.db import Connection
from core.errors import SitePulseError
from core.runner import Job
from core.settings import Settings
from core.wire import FUTURE_LIMIT
from rules.alerts import open_keys, retire_alerts
from rules.engine import SiteEngine
from rules.model import Rule
from rules.notifier import Notifier
from rules.notify.config import load_notify_config
from rules.packs import effective_rules, load_rules, pack_files, refused_overrides
from rules.sites import Sites
from rules.store import change_marks, load_context, overrides, read_samples, site_timezones

log = logging.getLogger(__name__)
RELOAD_EVERY_S = 1.0
# Tasks come under way as time passes: the sites are reloaded this often regardless.
TASKS_EVERY_S = 600


class Reloader:
    def __init__(self, settings: Settings, sites: Sites, notifier: Notifier) -> None:
        self.settings = settings
        self.site_filter = None if settings.rules_site_filter == "+" else settings.rules_site_filter
        self.rules: dict[str, Rule] = {}
        self._sites = sites
        self._notifier = notifier
        self._pack_marks: tuple[Any, ...] = ()
        self._db_marks: tuple[Any, ...] = ()
        self._notify_mark: float | None = None

    def jobs(self) -> Sequence[Job]:
        return [Job("reload", RELOAD_EVERY_S, self.reload)]

    def reload(self, conn: Connection, force: bool = False) -> None:
        packs = pack_files(self.settings.rules_dir)
        pack_marks = tuple((str(p), p.stat().st_mtime_ns) for p in packs)
        db_marks = (*change_marks(conn), int(time.time() // TASKS_EVERY_S))
        if force or pack_marks != self._pack_marks or db_marks != self._db_marks:
            try:
                self.rules = load_rules(packs)
            except SitePulseError as exc:
                log.error("rule packs not reloaded: %s", exc)  # noqa: TRY400
            with self._sites.lock:
                self._load_sites(conn)
            self._pack_marks, self._db_marks = pack_marks, db_marks
        notify_mark = _mtime(self.settings.notify_file)
        if force or notify_mark != self._notify_mark:
            self._notify_mark = notify_mark
            try:
                config = load_notify_config(self.settings.notify_file)
            except SitePulseError as exc:
                log.error("notification file not reloaded: %s", exc)  # noqa: TRY400
            else:
                self._notifier.config = config
                log.info(
                    "notifications: %d channels, %d routes",
                    len(config.channels),
                    len(config.routes),
                )

    def _load_sites(self, conn: Connection) -> None:
        engines = self._sites.engines
        sites = site_timezones(conn, self.site_filter)
        for site, timezone in sites.items():
            rules = self._site_rules(conn, site)
            ctx = load_context(conn, site, timezone)
            engine = engines.get(site)
            if engine is None:
                engine = SiteEngine(ctx, rules, open_keys(conn, site))
                now = datetime.now(UTC)
                history = max(engine.history.values(), default=timedelta(0))
                since = now - history - timedelta(minutes=2)
                # up to the furthest a device's ts may run ahead: those are history too
                engine.remember(read_samples(conn, site, since, now + FUTURE_LIMIT))
                engines[site] = engine
                log.info("judging site %s with %d rules", site, len(engine.rules))
            else:
                engine.ctx = ctx
                engine.set_rules(rules)
            retired = retire_alerts(conn, site, list(engine.rules))
            if retired:
                log.info("%s: resolved %d alerts of rules switched off", site, len(retired))
        for gone in set(engines) - set(sites):
            del engines[gone]

    def _site_rules(self, conn: Connection, site: str) -> dict[str, Rule]:
        patches = overrides(conn, site)
        unknown = set(patches) - set(self.rules)
        if unknown:
            log.warning("%s: overrides of unknown rules ignored: %s", site, sorted(unknown))
        for reason in refused_overrides(self.rules, patches).values():
            log.error("%s: override not applied, the rule runs as shipped: %s", site, reason)
        return effective_rules(self.rules, patches)


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None
