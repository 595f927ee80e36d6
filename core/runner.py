"""One way to run a service (after procrastinate's worker): named periodic jobs and
long-running loops, one stop event. SIGTERM or Ctrl-C sets it; a job that fails is
reported by its name and the others go on; a loop that ends stops the whole process.
Each job and loop is a thread of its own, named after it."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import FrameType
from typing import TypeVar

from core.db import Connection, Pool, create_pool
from core.errors import SitePulseError
from core.service_metrics import Counters, report
from core.settings import Settings

log = logging.getLogger(__name__)
_T = TypeVar("_T")
METRICS_EVERY_S = 5.0
STATS_EVERY_S = 30.0
# A job's turn waits this long at most for a connection; then it is skipped.
CONNECTION_WAIT_S = 5.0


@dataclass(frozen=True)
class Job:
    """A named periodic job: `work` runs every `every_s` seconds with a pooled connection,
    the first time `first_after_s` after the start (after one interval when None)."""

    name: str
    every_s: float
    work: Callable[[Connection], object]
    first_after_s: float | None = None
    woken: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)

    def wake(self) -> None:
        """Take the next turn now rather than at the end of the interval."""
        self.woken.set()


@dataclass(frozen=True)
class Loop:
    """A named long-running loop: it returns once the stop event is set; returning or
    raising before that stops the process."""

    name: str
    run: Callable[[threading.Event], None]


class Service:
    """A part of a process: what it prepares, its jobs and loops, what it counts."""

    name: str = "service"
    instance: str = ""  # which process of the service: the metrics' instance label
    counters: Counters | None = None

    def start(self, stopping: threading.Event) -> None:
        """Before any job or loop runs: check the database, load what they need."""

    def jobs(self) -> Sequence[Job]:
        return ()

    def loops(self) -> Sequence[Loop]:
        return ()

    def gauges(self) -> Mapping[str, float]:
        """Values read when the counters are reported, reported beside them."""
        return {}

    def close(self) -> None:
        """After every job and loop has ended."""


@dataclass(frozen=True)
class _Repeat:
    name: str
    every_s: float
    first_after_s: float | None
    woken: threading.Event
    turn: Callable[[], object]


class Runner:
    """Runs services together in one process: one stop event, one pool for their jobs."""

    def __init__(self, settings: Settings, *services: Service) -> None:
        self.settings = settings
        self.services = services
        self.stopping = threading.Event()
        self._failure: BaseException | None = None

    def request_stop(self, signum: int = 0, _frame: FrameType | None = None) -> None:
        if not self.stopping.is_set():
            log.info("stopping (signal %s)", signum)
        self.stopping.set()

    def run(self) -> None:
        """Start the services in order, run their jobs and loops until stopped, close them
        in reverse order; then raise what a loop raised."""
        started: list[Service] = []
        try:
            for service in self.services:
                service.start(self.stopping)
                started.append(service)
            self._run_started()
        finally:
            for service in reversed(started):
                self._close(service)
        if self._failure is not None:
            raise self._failure

    def _run_started(self) -> None:
        jobs = [
            (f"{service.name}.{job.name}", job)
            for service in self.services
            for job in [*service.jobs(), *_metrics(service)]
        ]
        pool = create_pool(self.settings, min_size=1, max_size=len(jobs)) if jobs else None
        repeats = [
            _Repeat(name, job.every_s, job.first_after_s, job.woken, partial(_on_pool, pool, job))
            for name, job in jobs
        ]
        repeats += [
            _Repeat(
                f"{service.name}.stats",
                STATS_EVERY_S,
                None,
                threading.Event(),
                partial(log.info, "%s: %s", service.name, service.counters),
            )
            for service in self.services
            if service.counters is not None
        ]
        threads = [_thread(r.name, self._repeat, r) for r in repeats]
        threads += [
            _thread(f"{service.name}.{loop.name}", self._supervise, loop)
            for service in self.services
            for loop in service.loops()
        ]
        try:
            for thread in threads:
                thread.start()
            self.stopping.wait()
        finally:
            self.stopping.set()
            for r in repeats:
                r.woken.set()
            for thread in threads:
                if thread.ident is not None:
                    thread.join()
            if pool is not None:
                pool.close()

    def _repeat(self, repeat: _Repeat) -> None:
        wait = repeat.every_s if repeat.first_after_s is None else repeat.first_after_s
        repeat.woken.clear()
        while True:
            repeat.woken.wait(wait)
            if self.stopping.is_set():
                return
            repeat.woken.clear()
            started = time.monotonic()
            try:
                repeat.turn()
            except SitePulseError as exc:
                log.warning("%s skipped: %s", repeat.name, exc)
            except Exception:
                log.exception("%s failed", repeat.name)
            wait = max(repeat.every_s - (time.monotonic() - started), 0.0)

    def _supervise(self, loop: Loop) -> None:
        try:
            loop.run(self.stopping)
        except BaseException as exc:
            self._failure = self._failure or exc
            if not isinstance(exc, SitePulseError):  # that one is the exit message
                log.exception("%s failed", threading.current_thread().name)
        finally:
            if not self.stopping.is_set():
                log.info("%s ended: stopping", threading.current_thread().name)
            self.stopping.set()

    def _close(self, service: Service) -> None:
        try:
            service.close()
        except Exception:
            log.exception("%s did not close cleanly", service.name)
        if service.counters is not None:
            log.info("%s stopped: %s", service.name, service.counters)


def _metrics(service: Service) -> list[Job]:
    """Every service reports its counters (and gauges) the same way."""
    counters = service.counters
    if counters is None:
        return []

    def metrics(conn: Connection) -> None:
        report(conn, service.name, service.instance, {**counters.totals(), **service.gauges()})

    return [Job("metrics", METRICS_EVERY_S, metrics, first_after_s=0.0)]


def _on_pool(pool: Pool | None, job: Job) -> None:
    assert pool is not None
    with pool.connection(timeout=CONNECTION_WAIT_S) as conn:
        job.work(conn)


def _thread(name: str, target: Callable[[_T], None], arg: _T) -> threading.Thread:
    return threading.Thread(target=target, args=(arg,), name=name, daemon=True)


def run_until_signalled(runner: Runner) -> int:
    """Run in the foreground until SIGTERM or Ctrl-C; a SitePulse error (the database
    unreachable, the schema behind) is the exit message, without a traceback."""
    signal.signal(signal.SIGTERM, runner.request_stop)
    signal.signal(signal.SIGINT, runner.request_stop)
    try:
        runner.run()
    except SitePulseError as exc:
        log.error("%s", exc)  # noqa: TRY400 - the message is the diagnosis; no traceback
        return 1
    return 0
