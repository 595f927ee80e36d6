"""core.runner: named jobs on a pooled connection, a failing job reported by its name while
the others go on, a loop that ends stops the process, SIGTERM stops it cleanly, and every
service's counters reported the same way."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pytest

from core.db import Connection
from core.errors import DatabaseRefused, SitePulseError
from core.runner import Job, Loop, Runner, Service, run_until_signalled
from core.service_metrics import Counters
from core.settings import Settings
from tests.helpers import in_thread, rows, wait_for

Work = Callable[[Connection], None]
REPORTED = (
    "SELECT name, value FROM service_metrics WHERE (service, instance) = ('chores', 'chores-1')"
)


@dataclass
class Tally(Counters):
    turns: int = 0
    seconds_busy: float = 0.0


class Chores(Service):
    """A service whose jobs count their turns; `broken` jobs fail the way they are told."""

    name = "chores"

    def __init__(self, *, failing: Sequence[BaseException] = ()) -> None:
        self.instance = "chores-1"
        self.counters: Tally = Tally()
        self.turns: dict[str, int] = {}
        self.events: list[str] = []
        self.sleepy = Job("sleepy", 3600, self._count("sleepy"))
        self._failing = failing

    def start(self, stopping: threading.Event) -> None:
        self.events.append("started")

    def jobs(self) -> Sequence[Job]:
        broken = [
            Job(f"broken-{i}", 0.05, self._fail(exc), first_after_s=0.0)
            for i, exc in enumerate(self._failing)
        ]
        return [Job("busy", 0.05, self._count("busy"), first_after_s=0.0), self.sleepy, *broken]

    def gauges(self) -> Mapping[str, float]:
        return {"queue_length": 3.0}

    def close(self) -> None:
        self.events.append("closed")

    def _count(self, name: str) -> Work:
        def work(conn: Connection) -> None:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            self.turns[name] = self.turns.get(name, 0) + 1
            self.counters.turns += 1

        return work

    @staticmethod
    def _fail(exc: BaseException) -> Work:
        def work(_conn: Connection) -> None:
            raise exc

        return work


class Ending(Service):
    name = "ending"

    def __init__(self, error: BaseException | None) -> None:
        self.error = error
        self.closed = False

    def loops(self) -> Sequence[Loop]:
        return [Loop("main", self._run)]

    def close(self) -> None:
        self.closed = True

    def _run(self, stopping: threading.Event) -> None:
        if self.error is not None:
            raise self.error


def test_a_failing_job_is_reported_by_its_name_and_the_others_go_on(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    chores = Chores(failing=[DatabaseRefused("refused: the data"), KeyError("a bug")])
    with (
        caplog.at_level(logging.WARNING, logger="core.runner"),
        in_thread(Runner(settings, chores), stop_within_s=10),
    ):
        wait_for(lambda: chores.turns.get("busy", 0), lambda n: n >= 5, what="5 busy turns")
    warnings = [r for r in caplog.records if r.name == "core.runner"]
    refused = [r for r in warnings if r.getMessage().startswith("chores.broken-0 skipped:")]
    assert refused
    assert refused[0].getMessage() == "chores.broken-0 skipped: refused: the data"
    assert refused[0].levelno == logging.WARNING
    assert refused[0].exc_info is None  # a SitePulse error is its message
    bug = [r for r in warnings if r.getMessage() == "chores.broken-1 failed"]
    assert bug
    assert bug[0].levelno == logging.ERROR
    assert bug[0].exc_info is not None  # anything else with its traceback
    assert chores.events == ["started", "closed"]
    assert "sleepy" not in chores.turns  # after one interval, not at the start


def test_a_woken_job_takes_its_turn_at_once(settings: Settings) -> None:
    chores = Chores()
    with in_thread(Runner(settings, chores), stop_within_s=10):
        wait_for(lambda: chores.turns.get("busy", 0), bool, what="the runner to run")
        chores.sleepy.wake()
        wait_for(lambda: chores.turns.get("sleepy", 0), lambda n: n == 1, what="the woken job")


@pytest.mark.parametrize("error", [None, SitePulseError("the loop gave up"), KeyError("a bug")])
def test_a_loop_that_ends_stops_every_service_and_its_error_is_raised(
    settings: Settings, error: BaseException | None
) -> None:
    chores, ending = Chores(), Ending(error)
    runner = Runner(settings, chores, ending)
    if error is None:
        runner.run()
    else:
        with pytest.raises(type(error)):
            runner.run()
    assert runner.stopping.is_set()
    assert chores.events == ["started", "closed"]
    assert ending.closed


def test_a_service_that_cannot_start_closes_those_started_before_it(settings: Settings) -> None:
    class Refusing(Service):
        def start(self, stopping: threading.Event) -> None:
            raise SitePulseError("the schema is behind")

    chores = Chores()
    with pytest.raises(SitePulseError, match="the schema is behind"):
        Runner(settings, chores, Refusing()).run()
    assert chores.events == ["started", "closed"]


def test_sigterm_stops_the_runner_cleanly(settings: Settings) -> None:
    chores = Chores()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def terminate() -> None:
        wait_for(lambda: chores.turns.get("busy", 0), bool, what="the runner to run")
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate, daemon=True)
    killer.start()
    try:
        assert run_until_signalled(Runner(settings, chores)) == 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    killer.join(5)
    assert chores.events == ["started", "closed"]


def test_a_sitepulse_error_at_start_is_the_exit_message(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        assert run_until_signalled(Runner(settings, Ending(DatabaseRefused("no")))) == 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == ["no"]


def test_counters_and_gauges_are_reported_for_metrics_and_logged(
    settings: Settings, conn: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    chores = Chores()
    with (
        caplog.at_level(logging.INFO, logger="core.runner"),
        in_thread(Runner(settings, chores), stop_within_s=10),
    ):
        reported = wait_for(
            lambda: dict(rows(conn, REPORTED)),
            lambda found: "turns_total" in found,
            what="the counters reported",
        )
    assert set(reported) == {"turns_total", "seconds_busy_total", "queue_length"}
    assert reported["queue_length"] == 3.0
    stopped = [r.getMessage() for r in caplog.records if "stopped:" in r.getMessage()]
    assert stopped == [f"chores stopped: {chores.counters.turns} turns, 0.000 seconds busy"]


def test_counters_are_named_by_their_fields() -> None:
    tally = Tally(turns=12, seconds_busy=1.5)
    assert tally.totals() == {"turns_total": 12.0, "seconds_busy_total": 1.5}
    assert str(tally) == "12 turns, 1.500 seconds busy"
