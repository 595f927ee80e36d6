"""Device clocks that jump: the engine judges each reading at min(ts, received_at), each
once, and measures other devices' staleness by the wall clock (issue 12)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rules.context import Crane, Sample, SiteContext, Worker
from rules.engine import SiteEngine, Transition
from rules.model import Rule
from rules.packs import load_rules, pack_files

RULES = load_rules(pack_files())
WIND = "crane.wind.stop_lifting"  # >= 12 m/s for 10 s
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LAG = timedelta(milliseconds=200)  # from measurement to ingest
CTX = SiteContext(
    site_id="s",
    tz=ZoneInfo("Asia/Shanghai"),
    floor_names={1: "1F"},
    floor_elevations={1: 0.0},
    cranes={"tc-a": Crane("tc-a", 0, 0, 50, 8), "tc-b": Crane("tc-b", 40, 0, 50, 8)},
    workers_by_tag={"tag-1": Worker("w-1", "Li Wei", "rebar")},
)


def crane(
    second: float,
    device: str = "tc-a",
    ahead: timedelta = timedelta(0),
    received: datetime | None = None,
    **values: Any,
) -> Sample:
    """A crane reading measured `second` s after T0 and received LAG later (or at
    `received`), stamped by a clock running `ahead` (negative: behind)."""
    measured = T0 + timedelta(seconds=second)
    return Sample(device, "crane", measured + ahead, None, None, values, received or measured + LAG)


def tag(second: float, x: float = 22.0, y: float = 1.0) -> Sample:
    """tag-1, 2.2 m from the hook of `lifting`."""
    measured = T0 + timedelta(seconds=second)
    return Sample("tag-1", "tag", measured, 1, None, {"x_m": x, "y_m": y}, measured + LAG)


def lifting(second: float) -> Sample:
    """tc-a with 3.2 t on its hook, at (20, 0), 30 m up."""
    return crane(second, load_t=3.2, radius_m=20.0, slew_deg=90.0, height_m=30.0)


def summary(transitions: Iterable[Transition]) -> list[tuple[Any, ...]]:
    """What the alerts table is told."""
    return [
        (t.action, t.rule.id, t.obs.subject, t.obs.ts, t.since, t.obs.value, t.breaches)
        for t in transitions
    ]


def run(
    passes: Iterable[Sequence[Sample]], rules: Mapping[str, Rule] = RULES
) -> list[tuple[Any, ...]]:
    """Each pass as the service feeds it, on the wall clock of its newest arrival."""
    engine = SiteEngine(CTX, rules, [])
    out: list[Transition] = []
    for samples in passes:
        out += engine.feed(samples, max(s.received_at or s.ts for s in samples))
    return summary(out)


def in_passes(samples: Sequence[Sample], size: int) -> list[Sequence[Sample]]:
    return [samples[i : i + size] for i in range(0, len(samples), size)]


def raised(transitions: list[tuple[Any, ...]], rule: str) -> list[tuple[Any, ...]]:
    return [t for t in transitions if t[0] == "raise" and t[1] == rule]


def calm_then_wind(calm_s: int = 30, wind_s: int = 45) -> list[Sample]:
    """A reading a second: calm, then 14 m/s."""
    return [crane(i, wind_mps=5.0) for i in range(calm_s)] + [
        crane(calm_s + i, wind_mps=14.0) for i in range(wind_s)
    ]


@pytest.mark.parametrize("size", [1, 5])
def test_one_reading_four_minutes_ahead_does_not_delay_the_wind_alert(size: int) -> None:
    passes = in_passes(calm_then_wind(), size)
    clean = run(passes)
    [alert] = raised(clean, WIND)
    assert alert[3:5] == (T0 + timedelta(seconds=40), T0 + timedelta(seconds=30))
    # the crane's clock jumps 4 minutes ahead for one message, between calm and wind
    fast = crane(29.5, ahead=timedelta(minutes=4), wind_mps=5.0)
    assert run([*passes[: 30 // size], [fast], *passes[30 // size :]]) == clean


@pytest.mark.parametrize("size", [1, 5])
def test_a_clock_jumping_back_five_minutes_does_not_delay_the_wind_alert(size: int) -> None:
    """Five minutes fast for a minute (accepted: not more than 5 minutes ahead of its
    arrival), then set right: its next 5 minutes of ts repeat what it already sent."""
    feed = calm_then_wind(calm_s=60)
    clean = run(in_passes(feed, size))
    assert raised(clean, WIND)
    fast = [crane(i, ahead=timedelta(minutes=5), wind_mps=5.0) for i in range(60)]
    assert run(in_passes([*fast, *feed[60:]], size)) == clean


@pytest.mark.parametrize("fast_crane", ["tc-a", "tc-b"])
def test_a_fast_crane_clock_does_not_blind_load_over_people(fast_crane: str) -> None:
    """A crane (the one with the load, or another) stamps one reading 4 minutes ahead; tc-a
    carries 3.2 t over a worker. The tag and the crane arrive in passes of their own, as
    they do from the broker. The site has switched no movement off, so nothing needs a
    tag's history: its newest reading is context for two minutes, as a crane's is."""
    rules = {k: r for k, r in RULES.items() if k != "worker.no_movement"}
    passes: list[Sequence[Sample]] = []
    for i in range(10):
        passes += [[tag(i)], [lifting(i + 0.5)]]
    clean = run(passes, rules)
    [alert] = raised(clean, "crane.load_over_people")
    assert alert[2] == "tc-a"
    fast = crane(0.2, fast_crane, ahead=timedelta(minutes=4), wind_mps=5.0)
    assert run([passes[0], [fast], *passes[1:]], rules) == clean


def test_a_fast_crane_clock_does_not_blind_anti_collision() -> None:
    """tc-b's clock runs 4 minutes ahead for one reading; both jibs point at each other's
    masts, 0.7 m from them."""
    passes: list[Sequence[Sample]] = []
    for i in range(10):
        passes += [[crane(i, "tc-b", slew_deg=90.0)], [crane(i + 0.5, slew_deg=89.0)]]
    clean = run(passes)
    [alert] = raised(clean, "crane.collision.alarm")
    assert alert[2] == "tc-a~tc-b"
    fast = crane(0.2, "tc-b", ahead=timedelta(minutes=4), slew_deg=90.0)
    assert run([passes[0], [fast], *passes[1:]]) == clean


def test_staleness_is_measured_by_the_wall_clock() -> None:
    engine = SiteEngine(CTX, RULES, [])
    engine.feed([crane(0, "tc-b", slew_deg=90.0)], T0 + LAG)
    # tc-a's readings were held up for two minutes: still judged against tc-b's
    held = T0 + timedelta(minutes=2, seconds=1)
    readings = [crane(i + 0.5, received=held, slew_deg=89.0) for i in range(5)]
    assert raised(summary(engine.feed(readings, held)), "crane.collision.alarm")
    # but tc-b has not been heard from for two minutes now
    assert set(engine.latest) == {"tc-a"}


def test_a_reading_read_again_is_not_judged_again() -> None:
    """Passes overlap (a committed range is widened; a lost connection is caught up)."""
    feed = calm_then_wind()
    once = run(in_passes(feed, 5))
    assert run([feed[max(0, i - 7) : i + 5] for i in range(0, len(feed), 5)]) == once


def test_a_reading_out_of_order_is_judged_in_its_place_unless_too_late() -> None:
    engine = SiteEngine(CTX, RULES, [])
    engine.feed([tag(10 * i) for i in range(120)], T0 + timedelta(minutes=20))
    behind = tag(1000.5, x=5.0)  # 3 minutes older than the newest: in its place
    engine.feed([behind], T0 + timedelta(minutes=20))
    window = [s.ts for s in engine.windows["tag-1"]]
    assert window == sorted(window)
    assert behind.ts in window
    too_late = tag(100.5)  # 18 minutes older: the window and the span are 16 minutes
    engine.feed([too_late], T0 + timedelta(minutes=20))
    assert too_late.ts not in window
    assert not engine.judged["tag-1"].admits(too_late)


def test_what_the_engine_remembers_is_bounded() -> None:
    engine = SiteEngine(CTX, RULES, [])
    for i in range(1200):
        engine.feed([crane(i, wind_mps=5.0), tag(i)], T0 + timedelta(seconds=i, milliseconds=300))
    assert len(engine.judged["tc-a"]) <= 121  # two minutes at 1 s
    assert len(engine.windows["tc-a"]) == 1
    assert len(engine.judged["tag-1"]) <= 16 * 60 + 1  # no movement looks back 16 minutes
    # an hour later both are forgotten, and nothing they sent is judged again
    later = T0 + timedelta(hours=1)
    engine.feed([crane(3600, "tc-b", slew_deg=0.0)], later)
    assert set(engine.latest) == {"tc-b"}
    assert len(engine.judged["tc-a"]) == 0
    assert engine.feed([crane(1199, moment_pct=150.0)], later) == []
