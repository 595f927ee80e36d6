"""Quality rules apply where and while their task is under way, and belong to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rules.context import Sample, SiteContext, TaskSpan
from rules.engine import SiteEngine
from rules.observe import observe
from rules.packs import load_rules, pack_files

RULES = load_rules(pack_files())
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
POUR = TaskSpan("T-12-POUR", "pour", frozenset({12}), frozenset(), T0, T0 + timedelta(hours=6))
CLIMB = TaskSpan("T-CLIMB", "climbing", frozenset(), frozenset(), T0, T0 + timedelta(hours=2))
CTX = SiteContext(
    site_id="s",
    tz=ZoneInfo("Asia/Shanghai"),
    floor_names={11: "11F", 12: "12F"},
    tasks=(POUR, CLIMB),
)


def env(floor: int, ts: datetime = T0 + timedelta(hours=1), **values: float) -> Sample:
    return Sample(f"env-{floor}", "env", ts, floor, None, values)


def test_a_cold_pour_is_judged_on_the_pours_floor_only() -> None:
    rule = RULES["quality.pour.cold"]
    [obs] = observe(rule, [env(12, temp_c=3.0)], CTX, {})
    assert (obs.subject, obs.task, obs.breach) == ("T-12-POUR/env-12", "T-12-POUR", True)
    assert observe(rule, [env(11, temp_c=3.0)], CTX, {}) == []
    after = T0 + timedelta(hours=7)
    assert observe(rule, [env(12, after, temp_c=3.0)], CTX, {}) == []


def test_mass_concrete_core_surface_difference() -> None:
    rule = RULES["quality.mass.core_surface"]
    [hot] = observe(rule, [env(12, temp_c=30.0, core_temp_c=57.0)], CTX, {})
    assert hot.breach
    assert hot.value == 27.0
    [fine] = observe(rule, [env(12, temp_c=30.0, core_temp_c=52.0)], CTX, {})
    assert fine.clear
    assert not fine.breach


def test_a_crane_with_no_floor_is_covered_by_a_climbing_task_anywhere() -> None:
    rule = RULES["quality.climbing.wind"]
    crane = Sample("tc-1", "crane", T0 + timedelta(minutes=5), None, None, {"wind_mps": 10.0})
    [obs] = observe(rule, [crane], CTX, {})
    assert (obs.task, obs.breach) == ("T-CLIMB", True)


def test_an_open_quality_alert_closes_when_its_task_ends() -> None:
    rule = RULES["quality.pour.cold"]
    engine = SiteEngine(CTX, {rule.id: rule}, [])
    samples = [env(12, T0 + timedelta(minutes=m), temp_c=3.0) for m in range(7)]
    raised = engine.feed(samples)
    assert [(t.action, t.obs.task) for t in raised][:1] == [("raise", "T-12-POUR")]
    assert raised[0].since == T0  # the excursion began with the first cold reading
    assert engine.finish_tasks(T0 + timedelta(hours=1)) == []
    [closed] = engine.finish_tasks(T0 + timedelta(hours=6, minutes=1))
    assert (closed.action, closed.obs.subject) == ("clear", "T-12-POUR/env-12")
