"""The table of rule predicates: the model accepts its names and no other, its defaults
are valid parameters, and the engine judges every predicate in its mode."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.kinds import DeviceKind
from rules.context import DeviceState, Sample, SiteContext
from rules.engine import SiteEngine
from rules.model import Predicate, Rule
from rules.packs import load_rules, pack_files
from rules.predicates import PREDICATES, OnConcrete, OnPresence, OnReading, OnRegime
from rules.regimes import Period

NAMES = sorted(PREDICATES)
PER_READING = sorted(n for n, declared in PREDICATES.items() if isinstance(declared, OnReading))
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CTX = SiteContext(site_id="s", tz=ZoneInfo("Asia/Shanghai"))


def a_rule(name: str, **params: Any) -> Rule:
    return Rule.model_validate(
        {
            "id": f"test.{name}",
            "name": name,
            "severity": "minor",
            "source": "test",
            "message": "{subject}",
            "predicate": {"name": name, "params": params},
        }
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_model_accepts_every_name_in_the_table(name: str) -> None:
    assert Predicate(name=name).declared is PREDICATES[name]


def test_the_model_refuses_a_name_not_in_the_table_naming_those_it_accepts() -> None:
    with pytest.raises(ValidationError) as refused:
        Predicate(name="crane_colision")
    known = f"(known: {', '.join(PREDICATES)})"
    assert f"no predicate 'crane_colision' {known}" in str(refused.value)


def test_every_predicate_the_shipped_packs_use_is_in_the_table() -> None:
    used = {r.predicate.name for r in load_rules(pack_files()).values() if r.predicate}
    assert used <= set(PREDICATES)


@pytest.mark.parametrize("name", NAMES)
def test_every_default_is_a_valid_parameter(name: str) -> None:
    defaults = dict(PREDICATES[name].params)
    assert all(isinstance(v, float | str) for v in defaults.values()), defaults
    assert Predicate(name=name, params=defaults).arguments == defaults
    assert Predicate(name=name).arguments == defaults
    assert a_rule(name, **defaults).judges == PREDICATES[name].judges


@pytest.mark.parametrize("name", PER_READING)
def test_every_predicate_judged_per_reading_looks_back_a_duration(name: str) -> None:
    declared = PREDICATES[name]
    assert isinstance(declared, OnReading)
    assert declared.history(declared.params) >= timedelta(0)


def test_a_predicate_over_minutes_keeps_them_and_a_minute_more() -> None:
    rule = a_rule("no_movement", minutes=30)
    engine = SiteEngine(CTX, {rule.id: rule}, [])
    assert engine.history == {"tag": timedelta(minutes=31)}


@pytest.mark.parametrize("name", NAMES)
def test_the_engine_judges_every_predicate_in_its_mode(name: str) -> None:
    rule = a_rule(name)
    declared = PREDICATES[name]
    engine = SiteEngine(CTX, {rule.id: rule}, [])
    judged_per_reading = [r for rules in engine.by_kind.values() for r in rules]
    placed = {
        OnReading: judged_per_reading,
        OnPresence: engine.presence_rules,
        OnRegime: engine.regime_rules,
        OnConcrete: engine.concrete_rules,  # judged in tests/rules/test_concrete_alerts.py
    }
    assert placed[type(declared)] == [rule]
    assert sum(map(len, placed.values())) == 1
    if isinstance(declared, OnReading):
        assert engine.by_kind == {declared.judges: [rule]}
    # and judging in that mode runs this predicate's observe function
    engine.feed([_reading(declared.judges)], NOW)
    engine.presence([DeviceState("gw-1", "gateway", False, None, None, "status offline", NOW)], NOW)
    engine.regimes([Period("winter", date(2026, 11, 1), None)], date(2026, 11, 23), NOW)
    if isinstance(declared, OnPresence | OnRegime):
        assert (rule.id, "gw-1" if isinstance(declared, OnPresence) else "s") in engine.series


def _reading(kind: DeviceKind) -> Sample:
    return Sample(f"{kind}-1", kind, NOW, 1, None, {})
