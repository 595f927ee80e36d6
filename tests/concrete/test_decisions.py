from __future__ import annotations

import pytest

from concrete.decisions import Cement, Curing, Member, critical_frost_mpa, stripping_pct


@pytest.mark.parametrize(
    ("member", "span_m", "pct"),
    [
        ("slab", 2.0, 50.0),
        ("slab", 2.01, 75.0),
        ("slab", 8.0, 75.0),
        ("slab", 8.5, 100.0),
        ("beam", 1.0, 75.0),
        ("beam", 8.0, 75.0),
        ("beam", 12.0, 100.0),
        ("cantilever", 1.0, 100.0),
    ],
)
def test_bottom_formwork_waits_for_its_share_of_the_grade(
    member: Member, span_m: float, pct: float
) -> None:
    assert stripping_pct(member, span_m) == pct


@pytest.mark.parametrize(
    ("cement", "curing", "lowest", "mpa"),
    [
        ("portland", "ordinary", -20.0, 9.0),
        ("slag", "ordinary", -20.0, 12.0),
        ("portland", "heat_storage", -15.0, 4.0),
        ("portland", "negative_temperature", -10.0, 4.0),
        ("slag", "negative_temperature", -25.0, 5.0),
    ],
)
def test_the_critical_frost_strength(
    cement: Cement, curing: Curing, lowest: float, mpa: float
) -> None:
    assert critical_frost_mpa(30.0, cement, curing, lowest) == pytest.approx(mpa)
