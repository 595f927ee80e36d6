"""The temperature-time factor and equivalent age, by hand-checkable cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from concrete.maturity import Gap, Reading, equivalent_age_h, temperature_time_factor

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
LIMIT = timedelta(hours=2)


def every(minutes: int, hours: float, temp: float, start: datetime = T0) -> list[Reading]:
    n = int(hours * 60 / minutes)
    return [Reading(start + timedelta(minutes=minutes * i), temp) for i in range(n + 1)]


def test_a_constant_20_c_for_24_h_gives_30_x_24_degree_hours() -> None:
    m = temperature_time_factor(every(10, 24, 20.0), -10.0, T0, LIMIT)
    assert m.maturity_degc_h == pytest.approx(720.0)
    assert m.equivalent_age_h == pytest.approx(24.0)  # 20 °C is the reference
    assert m.gaps == ()


def test_trapezoids_over_the_readings_own_uneven_timestamps() -> None:
    readings = [Reading(T0, 0.0), Reading(T0 + timedelta(minutes=30), 10.0)]
    readings.append(Reading(T0 + timedelta(hours=2), 10.0))
    m = temperature_time_factor(readings, -10.0, T0, LIMIT)
    # (0+10)/2 + 10 = 15 over the datum for 0.5 h, then 20 for 1.5 h
    assert m.maturity_degc_h == pytest.approx(15 * 0.5 + 20 * 1.5)
    assert [v for _, v in m.history] == pytest.approx([0.0, 7.5, 37.5])


def test_a_gap_longer_than_the_limit_is_not_bridged_and_is_reported() -> None:
    before = every(10, 10, 20.0)
    after = every(10, 11, 20.0, start=T0 + timedelta(hours=13))
    m = temperature_time_factor(before + after, -10.0, T0, LIMIT)
    assert m.maturity_degc_h == pytest.approx(30 * 21)
    assert m.gaps == (Gap(T0 + timedelta(hours=10), T0 + timedelta(hours=13)),)
    assert m.gaps[0].hours == 3.0


def test_a_gap_of_exactly_the_limit_is_bridged() -> None:
    readings = [Reading(T0, 20.0), Reading(T0 + LIMIT, 20.0)]
    m = temperature_time_factor(readings, -10.0, T0, LIMIT)
    assert m.maturity_degc_h == pytest.approx(60.0)
    assert m.gaps == ()


def test_a_late_first_reading_is_a_gap_from_the_pour() -> None:
    readings = every(10, 1, 20.0, start=T0 + timedelta(hours=5))
    m = temperature_time_factor(readings, -10.0, T0, LIMIT)
    assert m.gaps == (Gap(T0, T0 + timedelta(hours=5)),)
    assert m.maturity_degc_h == pytest.approx(30.0)


def test_below_the_datum_adds_nothing_and_readings_before_the_pour_are_ignored() -> None:
    cold = every(10, 3, -15.0)
    early = [Reading(T0 - timedelta(hours=1), 50.0)]
    m = temperature_time_factor(early + cold, -10.0, T0, LIMIT)
    assert m.maturity_degc_h == 0.0
    assert m.history[0][0] == T0


def test_when_a_factor_was_reached_is_interpolated_within_its_interval() -> None:
    m = temperature_time_factor(every(60, 10, 20.0), -10.0, T0, LIMIT)
    assert m.reached_at(45.0) == T0 + timedelta(minutes=90)
    assert m.reached_at(300.0) == T0 + timedelta(hours=10)
    assert m.reached_at(301.0) is None


def test_the_equivalent_age_scales_with_the_datum() -> None:
    assert equivalent_age_h(720.0, -10.0) == 24.0
    assert equivalent_age_h(480.0, 0.0) == 24.0
