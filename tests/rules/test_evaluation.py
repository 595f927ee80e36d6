"""Pure evaluation with known answers: durations, hysteresis, time of day, crane geometry,
people under a load, presence behind a dead gateway."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rules.context import Crane, DeviceState, Sample, SiteContext, Worker
from rules.cranes import clearance
from rules.judge import Action, Series, closed_by_person, step
from rules.model import Rule
from rules.observe import observe, observe_presence
from rules.packs import load_rules, pack_files

RULES = load_rules(pack_files())
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CTX = SiteContext(
    site_id="s",
    tz=ZoneInfo("Asia/Shanghai"),
    floor_names={1: "1F", 2: "2F"},
    floor_elevations={1: 0.0, 2: 4.5},
    hazard_zones=frozenset({"pit"}),
    cranes={
        "tc-a": Crane("tc-a", 0, 0, 50, 8),
        "tc-b": Crane("tc-b", 40, 0, 50, 8),
    },
    workers_by_tag={"tag-1": Worker("w-1", "Li Wei", "rebar")},
    gateway_of={"tag-1": "gw-1", "tag-2": "gw-1", "tag-3": "gw-1", "env-9": "gw-1"},
)


def crane(ts: datetime, device: str = "tc-a", /, **values: Any) -> Sample:
    return Sample(device, "crane", ts, None, None, values)


def run(rule: Rule, samples: Iterable[Sample]) -> list[tuple[int, Action]]:
    """Feed samples one by one; the actions, with the index of the sample that caused them."""
    series: dict[str, Series] = {}
    actions = []
    for i, sample in enumerate(samples):
        for obs in observe(rule, [sample], CTX, {}):
            state, action = step(rule, series.get(obs.subject, Series()), obs)
            series[obs.subject] = state
            if action:
                actions.append((i, action))
    return actions


def every_second(values: list[float], key: str = "wind_mps") -> list[Sample]:
    return [crane(T0 + timedelta(seconds=i), **{key: v}) for i, v in enumerate(values)]


def test_wind_held_for_its_duration_raises_once_then_repeats() -> None:
    actions = run(RULES["crane.wind.stop_lifting"], every_second([13.0] * 15))
    assert actions[0] == (10, "raise")  # 13 m/s from t=0 to t=10: held for 10 s
    assert [a for _, a in actions].count("raise") == 1
    assert [a for _, a in actions[1:]] == ["repeat"] * 4


def test_wind_clears_only_after_the_clear_duration_below_the_clear_threshold() -> None:
    values = [13.0] * 11 + [11.5] * 30 + [10.0] * 61
    actions = run(RULES["crane.wind.stop_lifting"], every_second(values))
    # 11.5 is inside the hysteresis band: it neither repeats nor starts the clear clock
    assert [a for a in actions if a[1] != "repeat"] == [(10, "raise"), (11 + 30 + 60, "clear")]


def test_wind_oscillating_around_the_threshold_never_raises() -> None:
    values = [12.5 if (i // 2) % 2 == 0 else 11.5 for i in range(120)]
    assert run(RULES["crane.wind.stop_lifting"], every_second(values)) == []


def test_moment_alarm_fires_on_a_single_reading_even_if_the_next_is_normal() -> None:
    actions = run(RULES["crane.moment.alarm"], every_second([50, 101, 60], "moment_pct"))
    assert actions == [(1, "raise")]


def test_a_late_observation_does_not_move_the_series_back() -> None:
    rule = RULES["crane.moment.alarm"]
    late = [crane(T0 + timedelta(seconds=5), moment_pct=50), crane(T0, moment_pct=120)]
    assert run(rule, late) == []


def test_a_person_resolving_restarts_the_clock() -> None:
    rule = RULES["crane.wind.stop_lifting"]
    series = Series()
    for sample in every_second([13.0] * 11):
        series, _ = step(rule, series, observe(rule, [sample], CTX, {})[0])
    assert series.open
    series = closed_by_person(series)
    later = [crane(T0 + timedelta(seconds=11 + i), wind_mps=13.0) for i in range(11)]
    results = [
        step(rule, series := s, observe(rule, [x], CTX, {})[0])
        for x, s in zip(later, [series] * 11, strict=True)
    ]
    # each step from the same closed state: one reading alone never holds for 10 s
    assert all(action is None for _, action in results)


@pytest.mark.parametrize(
    ("local", "raised"),
    [("21:58", False), ("22:00", True), ("05:50", True), ("06:00", False)],
)
def test_noise_limit_follows_the_site_clock_across_22_00(local: str, raised: bool) -> None:
    """60 dB(A) for 5 minutes: under the day limit (70), over the night limit (55)."""
    rule = RULES["env.noise"]
    hour, minute = map(int, local.split(":"))
    start = datetime(2026, 11, 23, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))
    samples = [
        Sample("env-1", "env", start + timedelta(seconds=30 * i), 2, None, {"noise_dba": 60.0})
        for i in range(11)  # 5 minutes, every 30 s, all inside one band
    ]
    if not raised:
        samples = samples[:4]  # stay inside the band: 21:58 + 90 s
    actions = run(rule, samples)
    assert ("raise" in [a for _, a in actions]) is raised
    if not raised:
        return
    limit = observe(rule, [samples[-1]], CTX, {})[0].threshold
    assert limit == 55.0


def test_noise_at_21_59_is_judged_by_day_and_at_22_01_by_night() -> None:
    rule = RULES["env.noise"]
    tz = ZoneInfo("Asia/Shanghai")
    before = Sample(
        "e", "env", datetime(2026, 11, 23, 21, 59, tzinfo=tz), 2, None, {"noise_dba": 60.0}
    )
    after = Sample(
        "e", "env", datetime(2026, 11, 23, 22, 1, tzinfo=tz), 2, None, {"noise_dba": 60.0}
    )
    assert observe(rule, [before], CTX, {})[0].breach is False
    assert observe(rule, [after], CTX, {})[0].breach is True
    # the same instant is night in Shanghai but afternoon in London
    london = SiteContext(site_id="s", tz=ZoneInfo("Europe/London"))
    assert observe(rule, [after], london, {})[0].breach is False


@pytest.mark.parametrize(
    ("slew_a", "expected"),
    [(90.0, 0.0), (0.0, 40.0), (80.0, 40 * math.sin(math.radians(10))), (270.0, 40.0)],
)
def test_jib_to_mast_clearance_has_known_answers(slew_a: float, expected: float) -> None:
    a, b = CTX.cranes["tc-a"], CTX.cranes["tc-b"]
    distance, between = clearance(a, slew_a, b, 90.0)  # b's jib points away, east
    assert distance == pytest.approx(expected, abs=1e-9)
    assert between == "tc-a jib to tc-b mast"


def test_jib_heights_decide_what_can_strike_what() -> None:
    low = Crane("low", 0, 0, 50, 8, height_m=100)
    high = Crane("high", 40, 0, 50, 8, height_m=110)
    # high's jib passes over low's mast; low's jib can strike high's mast
    distance, between = clearance(low, 80.0, high, 270.0)
    assert between == "low jib to high mast"
    assert distance == pytest.approx(40 * math.sin(math.radians(10)))
    level = Crane("level", 40, 0, 50, 8, height_m=101)
    # within 2 m vertically: jib against jib too; both jibs point at each other's masts
    distance, between = clearance(low, 90.0, level, 270.0)
    assert distance == pytest.approx(0.0, abs=1e-9)
    # jibs crossing at right angles above the middle: jib to jib is 0, masts are far
    cross_a = Crane("a", 0, 0, 60, 8, height_m=100)
    cross_b = Crane("b", 30, -30, 60, 8, height_m=100.5)
    distance, between = clearance(cross_a, 90.0, cross_b, 0.0)
    assert (distance, between) == (0.0, "a jib to b jib")


def test_collision_rule_observes_the_pair_from_the_latest_position_of_the_other() -> None:
    rule = RULES["crane.collision.alarm"]
    latest = {"tc-b": crane(T0, "tc-b", slew_deg=90.0)}
    near = observe(rule, [crane(T0, slew_deg=89.0)], CTX, latest)
    assert len(near) == 1
    assert near[0].subject == "tc-a~tc-b"
    assert near[0].breach
    assert near[0].value == pytest.approx(40 * math.sin(math.radians(1)), abs=0.01)
    far = observe(rule, [crane(T0, slew_deg=0.0)], CTX, latest)
    assert not far[0].breach
    assert far[0].clear
    stale = {"tc-b": crane(T0 - timedelta(minutes=5), "tc-b", slew_deg=90.0)}
    assert observe(rule, [crane(T0, slew_deg=89.0)], CTX, stale) == []


def tag(device: str, x: float, y: float, ts: datetime = T0, **more: float) -> Sample:
    return Sample(device, "tag", ts, 1, None, {"x_m": x, "y_m": y, **more})


def test_load_over_people_counts_workers_near_the_hook_and_below_it() -> None:
    rule = RULES["crane.load_over_people"]
    hook = {"load_t": 3.2, "radius_m": 20.0, "slew_deg": 90.0, "height_m": 30.0}  # hook at (20, 0)
    latest = {
        "tag-1": tag("tag-1", 22, 1),  # 2.2 m away: under the load
        "tag-2": tag("tag-2", 30, 0),  # 10 m away
        "tag-3": tag("tag-3", 20, 0, z_m=35.0),  # above the hook
        "tag-4": tag("tag-4", 19, 0, ts=T0 - timedelta(minutes=2)),  # not heard lately
    }
    [obs] = observe(rule, [crane(T0, **hook)], CTX, latest)
    assert obs.breach
    assert obs.value == 1.0
    assert obs.detail == "3.2 t over 1 worker(s): Li Wei (rebar)"
    [light] = observe(rule, [crane(T0, **{**hook, "load_t": 0.2})], CTX, latest)
    assert not light.breach
    assert light.clear


def test_hazard_zone_and_sos_observe_the_worker() -> None:
    inside = Sample("tag-1", "tag", T0, 1, "pit", {"x_m": 1.0, "y_m": 1.0})
    [obs] = observe(RULES["worker.hazard_zone"], [inside], CTX, {})
    assert obs.breach
    assert obs.subject == "tag-1"
    sos = Sample("tag-1", "tag", T0, 1, None, {"x_m": 1.0, "y_m": 1.0, "sos": True})
    assert observe(RULES["worker.sos"], [sos], CTX, {})[0].breach
    assert RULES["worker.sos"].auto_resolve is False


def test_no_movement_during_work_hours_only() -> None:
    rule = RULES["worker.no_movement"]
    still = [tag("tag-1", 5.0 + 0.1 * (i % 2), 5.0, T0 + timedelta(minutes=i)) for i in range(17)]
    [obs] = observe(rule, still, CTX, {})
    assert obs.breach
    assert obs.value == 16.0
    moving = [*still[:-1], tag("tag-1", 9.0, 5.0, still[-1].ts)]
    assert not observe(rule, moving, CTX, {})[0].breach
    night = [tag("tag-1", 5.0, 5.0, T0 + timedelta(hours=12, minutes=i)) for i in range(17)]
    assert observe(rule, night, CTX, {}) == []  # 22:00 in Shanghai


def test_flatline_needs_the_whole_span_and_enough_readings() -> None:
    rule = RULES["env.flatline"]
    flat = [
        Sample("e", "env", T0 + timedelta(minutes=10 * i), 2, None, {"temp_c": 21.5})
        for i in range(13)
    ]
    [obs] = observe(rule, flat, CTX, {})
    assert obs.breach
    assert obs.value == 21.5
    assert observe(rule, flat[:6], CTX, {}) == []  # one hour: too soon to say
    lively = [*flat[:-1], Sample("e", "env", flat[-1].ts, 2, None, {"temp_c": 22.0})]
    assert not observe(rule, lively, CTX, {})[0].breach


def test_a_dead_gateway_is_one_observation_standing_for_its_devices() -> None:
    rule = RULES["device.offline"]
    states = [
        DeviceState("gw-1", "gateway", False, None, None, "status offline", T0),
        *(
            DeviceState(f"tag-{i}", "tag", False, 1, None, "no data for 300 s", T0)
            for i in (1, 2, 3)
        ),
        DeviceState("env-9", "env", False, 2, None, "no data for 300 s", T0),  # behind gw-1
        DeviceState("env-1", "env", False, 2, None, "no data for 300 s", T0),
        DeviceState("env-2", "env", True, 2, None, "status online", T0),
    ]
    found = {o.subject: o for o in observe_presence(rule, states, CTX, T0)}
    assert set(found) == {"gw-1", "env-1", "env-2"}
    # a tag not behind the dead gateway is still not judged: a tag goes quiet off site
    lone = DeviceState("tag-9", "tag", False, 1, None, "no data for 300 s", T0)
    assert observe_presence(rule, [lone], CTX, T0) == []
    assert found["gw-1"].breach
    assert found["gw-1"].value == 4.0
    assert "the 4 devices behind it" in found["gw-1"].detail
    assert found["env-1"].breach
    assert not found["env-2"].breach
    assert found["env-2"].clear
