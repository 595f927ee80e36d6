"""Winter and hot-weather concreting regimes from daily means: known answers."""

from __future__ import annotations

from datetime import date, timedelta

from rules.regimes import Period, hot_days, regime_on, winter_periods

D0 = date(2026, 11, 1)


def days(*means: float) -> dict[date, float]:
    return {D0 + timedelta(days=i): m for i, m in enumerate(means)}


def test_ten_falling_days_enter_winter_on_the_fifth_cold_day() -> None:
    # 8, 7, 6 then five days below 5: the regime starts on the 5th of them (day 7)
    means = days(8.0, 7.0, 6.0, 4.5, 4.0, 3.0, 2.0, 1.0, 0.0, -1.0)
    assert winter_periods(means) == [Period("winter", D0 + timedelta(days=7), None)]


def test_winter_ends_on_the_fifth_warm_day_and_a_thaw_day_restarts_the_count() -> None:
    cold = [3.0] * 5
    warm = [6.0, 7.0, 4.0, 6.0, 6.0, 7.0, 8.0, 9.0]  # the 4.0 breaks the first warm run
    periods = winter_periods(days(*cold, *warm))
    assert periods == [Period("winter", D0 + timedelta(days=4), D0 + timedelta(days=12))]
    assert regime_on(periods, D0 + timedelta(days=11)) is not None
    assert regime_on(periods, D0 + timedelta(days=12)) is None


def test_exactly_five_degrees_counts_neither_way() -> None:
    assert winter_periods(days(5.0, 5.0, 5.0, 5.0, 5.0, 5.0)) == []


def test_a_missing_day_breaks_the_run() -> None:
    means = days(4.0, 4.0, 4.0, 4.0)
    means[D0 + timedelta(days=5)] = 4.0  # day 4 has no data
    assert winter_periods(means) == []


def test_hot_days_join_into_periods() -> None:
    periods = hot_days(days(29.0, 30.0, 31.5, 28.0, 30.2))
    assert periods == [
        Period("hot", D0 + timedelta(days=1), D0 + timedelta(days=3)),
        Period("hot", D0 + timedelta(days=4), D0 + timedelta(days=5)),
    ]
