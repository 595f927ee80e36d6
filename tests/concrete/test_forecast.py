from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from concrete.forecast import HORIZON, Trend, first_at_or_below, maturity_reached_at, trend
from concrete.maturity import Reading

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
H = timedelta(hours=1)


def test_the_trend_is_the_least_squares_line_of_the_last_hours() -> None:
    old = [Reading(T0 - 10 * H, 40.0)]  # outside the window: ignored
    falling = [Reading(T0 + i * H, 10.0 - i) for i in range(7)]
    line = trend(old + falling, 6 * H)
    assert line is not None
    assert line.at == T0 + 6 * H
    assert line.temp_c == pytest.approx(4.0)
    assert line.slope_c_per_h == pytest.approx(-1.0)
    assert line.span == 6 * H
    assert trend(falling[:1], 6 * H) is None


def test_a_trend_is_carried_as_long_as_it_was_measured_then_held() -> None:
    line = Trend(T0, 10.0, -1.0, 4 * H)
    assert line.temp_at(T0 + 2 * H) == 8.0
    assert line.temp_at(T0 + 30 * H) == 6.0


def test_a_constant_temperature_reaches_a_factor_when_arithmetic_says() -> None:
    line = Trend(T0, 20.0, 0.0, 6 * H)
    at = maturity_reached_at(100.0, 400.0, T0, line, -10.0)
    assert at is not None
    assert abs(at - (T0 + 10 * H)) < timedelta(seconds=1)
    assert maturity_reached_at(500.0, 400.0, T0, line, -10.0) == T0


def test_below_the_datum_nothing_is_forecast() -> None:
    line = Trend(T0, -12.0, 0.0, 6 * H)
    assert maturity_reached_at(0.0, 1.0, T0, line, -10.0) is None
    assert timedelta(days=28) == HORIZON


def test_frost_is_forecast_no_further_than_the_trend_was_measured() -> None:
    line = Trend(T0, 4.0, -1.0, 6 * H)
    assert first_at_or_below(line, 0.0, 6 * H) == T0 + 4 * H
    assert first_at_or_below(Trend(T0, 8.0, -1.0, 6 * H), 0.0, 6 * H) is None
    assert first_at_or_below(Trend(T0, -1.0, 1.0, 6 * H), 0.0, 6 * H) == T0
    assert first_at_or_below(Trend(T0, 4.0, 0.5, 6 * H), 0.0, 6 * H) is None
