from __future__ import annotations

import math

import pytest

from concrete.strength import SHIPPED_CURVES, Curve, grade_mpa, shipped_curve


def test_the_logarithmic_curve_and_its_inverse() -> None:
    curve = Curve(-50.0, 20.0, calibrated=True)
    assert curve.strength_mpa(10_000.0) == pytest.approx(-50 + 20 * 4)
    assert curve.maturity_for(30.0) == pytest.approx(10_000.0)
    assert curve.strength_mpa(100.0) == 0.0  # below the curve's zero: no strength yet
    assert curve.strength_mpa(0.0) == 0.0


def test_grades_name_their_strength_and_a_bad_one_says_what_is_expected() -> None:
    assert grade_mpa("C30") == 30.0
    assert grade_mpa("C100") == 100.0
    with pytest.raises(ValueError, match="write C followed by its MPa"):
        grade_mpa("30MPa")


def test_the_shipped_curves_are_flagged_not_calibrated_and_scale_with_the_grade() -> None:
    assert all(not c.calibrated for c in SHIPPED_CURVES.values())
    day28 = 30 * 24 * 28  # °C·h at 20 °C over a -10 °C datum
    for grade, curve in SHIPPED_CURVES.items():
        share = curve.strength_mpa(day28) / grade_mpa(grade)
        assert 1.2 < share < 1.35, grade  # the mix's target above the characteristic value
        day1 = curve.strength_mpa(30 * 24) / grade_mpa(grade)
        assert 0.15 < day1 < 0.3, grade
    assert set(SHIPPED_CURVES) == {f"C{n}" for n in range(15, 85, 5)}
    assert shipped_curve("C90").a_mpa == 3 * SHIPPED_CURVES["C30"].a_mpa
    c30 = SHIPPED_CURVES["C30"]
    assert math.isclose(c30.a_mpa, -54.9)
    assert math.isclose(c30.b_mpa, 21.6)
