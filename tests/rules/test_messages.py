"""Alert message templates: a rule (or an admin's override) may name the known fields with
a short numeric format, nothing more; what renders is bounded whatever the values."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import RulesInvalid
from rules.context import SiteContext
from rules.messages import alert_message
from rules.model import MESSAGE_MAX_CHARS, Rule
from rules.observation import Observation
from rules.packs import apply_override, load_rules, pack_files

SHIPPED = load_rules(pack_files())
WIND = SHIPPED["crane.wind.stop_lifting"]
CTX = SiteContext(site_id="s", tz=ZoneInfo("Asia/Shanghai"), floor_names={2: "2F"})
OBS = Observation(
    "tc-1", datetime(2026, 11, 23, tzinfo=UTC), True, False, 13.4, 12.0, device="tc-1", floor=2
)


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("{value:>999999999}", "{value:>999999999}: format '>999999999' is not allowed"),
        ("{value:.999999f}", "{value:.999999f}: format"),
        ("{value:0999999999.1f}", "format '0999999999.1f' is not allowed"),
        ("{value:{threshold}}", "format '{threshold}' is not allowed"),
        ("{value:,.1f}", "format ',.1f' is not allowed"),
        ("{device!a}", "{device!a}: conversion !a is not allowed"),
        ("{worker.__class__}", "{worker.__class__}: write the field's name alone"),
        ("{detail[0]}", "{detail[0]}: write the field's name alone"),
        ("{} m/s", "every {} needs a field's name"),
        ("{0} m/s", "every {} needs a field's name"),
        ("{speed} m/s", "unknown field(s) ['speed']"),
        ("{value", "not a valid message template"),
        ("x" * (MESSAGE_MAX_CHARS + 1), f"at most {MESSAGE_MAX_CHARS} characters"),
    ],
)
def test_an_override_template_beyond_the_allowed_is_refused_naming_the_field(
    template: str, named: str
) -> None:
    with pytest.raises(RulesInvalid) as refused:
        apply_override(WIND, {"message": template})
    text = str(refused.value)
    assert text.startswith("override of crane.wind.stop_lifting is invalid: message: "), text
    assert named in text, text


@pytest.mark.parametrize(
    "template",
    [
        "{device}: wind {value:.1f} m/s (limit {threshold:.0f})",
        "{value:>6.1f}",
        "{value:d}",
        "{value:.0%}",
        "{device!r} {worker!s}",
        "{{literal braces}} {floor}",
        "no fields at all",
    ],
)
def test_short_numeric_formats_and_plain_fields_are_accepted(template: str) -> None:
    assert apply_override(WIND, {"message": template}).message == template


def test_every_shipped_template_passes() -> None:
    for rule in SHIPPED.values():
        Rule.model_validate(rule.model_dump(by_alias=True))


@pytest.mark.parametrize(
    "template",
    [
        "{value:>999999999}",
        "{worker.__class__.__init__.__globals__}",
        "{value[0]}",
        "{}",
        "{} {0}",
        "{device!a}",
    ],
)
def test_a_template_stored_before_these_checks_renders_bounded_and_blind(template: str) -> None:
    """An override saved by an older version is never re-validated before it renders."""
    rule = WIND.model_copy(update={"message": template})
    begun = time.perf_counter()
    text = alert_message(rule, OBS, CTX)
    assert time.perf_counter() - begun < 0.5
    assert len(text) <= MESSAGE_MAX_CHARS
    assert "globals" not in text
    assert "class" not in text
    assert "'tc-1'" not in text


def test_a_long_value_is_cut_to_the_bound() -> None:
    rule = WIND.model_copy(update={"message": "{device}: {detail}"})
    obs = Observation("tc-1", OBS.ts, True, False, device="tc-1", detail="d" * 5000)
    text = alert_message(rule, obs, CTX)
    assert len(text) == MESSAGE_MAX_CHARS
    assert text.startswith("tc-1: ddd")
    assert text.endswith("…")
