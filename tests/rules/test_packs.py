"""Rule packs: the shipped ones load; a bad pack is refused naming the rule, field and line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import RulesInvalid
from rules.model import Band, Rule
from rules.packs import (
    SHIPPED,
    apply_override,
    effective_rules,
    load_rules,
    pack_files,
    parse_pack,
    refused_overrides,
)

GOOD_RULE = """\
pack: test
title: Test
rules:
  - id: wind
    name: Wind
    kind: crane
    when: {metric: wind_mps, op: ">=", value: 12}
    for: 10s
    clear: {op: "<", value: 10.8, for: 1m}
    severity: critical
    message: "{device}: {value:.1f} m/s"
    source: "JGJ 33-2012 §4.1.15"
"""


def test_every_shipped_rule_cites_a_source_and_loads() -> None:
    rules = load_rules(pack_files())
    assert {p.name for p in SHIPPED.glob("*.yaml")} == {
        "cranes.yaml",
        "workers.yaml",
        "environment.yaml",
        "devices.yaml",
        "quality.yaml",
        "concrete.yaml",
    }
    families = {
        "crane.wind.stop_lifting",
        "crane.moment.alarm",
        "env.noise",
        "device.offline",
        "crane.collision.alarm",
        "crane.load_over_people",
        "worker.sos",
    }
    assert families <= set(rules)
    wind = rules["crane.wind.stop_lifting"]
    assert wind.when is not None
    assert wind.when.value == 12.0
    assert wind.for_ == timedelta(seconds=10)
    assert wind.clear is not None
    assert wind.clear.for_ == timedelta(minutes=1)
    noise = rules["env.noise"]
    assert noise.when is not None
    assert isinstance(noise.when.value, list)
    assert [b.value for b in noise.when.value if isinstance(b, Band)] == [70, 55]


def test_a_good_pack_parses() -> None:
    pack = parse_pack(GOOD_RULE, "t.yaml")
    assert pack.rules[0].for_ == timedelta(seconds=10)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("metric: wind_mps", "metric: gust_mps"), "t.yaml:4: rules[0]: rule wind: when.metric:"),
        (("for: 10s", "for: ten seconds"), "t.yaml:8: rules[0].for: "),
        (
            ("{value:.1f} m/s", "{speed} m/s"),
            "t.yaml:11: rules[0].message: unknown field(s) ['speed']",
        ),
        (
            ("severity: critical", "severity: fatal"),
            "t.yaml:10: rules[0].severity: Input should be",
        ),
        (('source: "JGJ 33-2012 §4.1.15"', 'source: ""'), "t.yaml:12: rules[0].source"),
    ],
)
def test_a_bad_pack_names_the_line_and_field(change: tuple[str, str], expected: str) -> None:
    with pytest.raises(RulesInvalid) as refused:
        parse_pack(GOOD_RULE.replace(*change), "t.yaml")
    assert "nothing was loaded" in str(refused.value)
    assert expected in str(refused.value), str(refused.value)


def test_an_unknown_metric_names_what_the_kind_has() -> None:
    with pytest.raises(
        RulesInvalid, match=r"crane readings have no 'gust_mps' \(they have: load_t"
    ):
        parse_pack(GOOD_RULE.replace("wind_mps", "gust_mps"), "t.yaml")


def test_an_unknown_predicate_parameter_is_named() -> None:
    text = GOOD_RULE.replace(
        'kind: crane\n    when: {metric: wind_mps, op: ">=", value: 12}',
        "predicate: {name: crane_collision, params: {min_gap_m: 3}}",
    ).replace('clear: {op: "<", value: 10.8, for: 1m}', "clear: {for: 1m}")
    with pytest.raises(RulesInvalid, match="crane_collision has no parameter 'min_gap_m'"):
        parse_pack(text, "t.yaml")


def test_a_duplicate_rule_id_across_packs_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD_RULE)
    (tmp_path / "b.yaml").write_text(GOOD_RULE)
    with pytest.raises(RulesInvalid, match=r"b.yaml: rule 'wind' is already defined in .*a.yaml"):
        load_rules(sorted(tmp_path.glob("*.yaml")))


def test_an_override_changes_a_threshold_and_keeps_the_rest() -> None:
    rule = parse_pack(GOOD_RULE, "t.yaml").rules[0]
    changed = apply_override(rule, {"when": {"value": 14}, "for": "30s"})
    assert changed.when is not None
    assert changed.when.value == 14
    assert changed.when.metric == "wind_mps"
    assert changed.for_ == timedelta(seconds=30)
    off = effective_rules({"wind": rule}, {"wind": {"enabled": False}})
    assert off["wind"].enabled is False


def test_an_invalid_override_is_refused_naming_the_field() -> None:
    rule: Rule = parse_pack(GOOD_RULE, "t.yaml").rules[0]
    with pytest.raises(RulesInvalid, match=r"override of wind is invalid: for: .*not a duration"):
        apply_override(rule, {"for": "soon"})
    with pytest.raises(RulesInvalid, match=r"when.op: Input should be"):
        apply_override(rule, {"when": {"op": "=>"}})


def test_an_override_the_model_now_refuses_leaves_its_rule_as_shipped_and_the_rest_apply() -> None:
    rule = parse_pack(GOOD_RULE, "t.yaml").rules[0]
    other = rule.model_copy(update={"id": "other"})
    patches: dict[str, dict[str, object]] = {"wind": {"for": "soon"}, "other": {"enabled": False}}
    rules = {"wind": rule, "other": other}
    effective = effective_rules(rules, patches)
    assert effective["wind"] == rule
    assert effective["other"].enabled is False
    assert list(refused_overrides(rules, patches)) == ["wind"]
