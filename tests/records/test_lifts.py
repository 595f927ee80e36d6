"""The work-cycle decision, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import SitePulseError
from records.lifts import CraneReading, Thresholds, detect_lifts, floor_at

T0 = datetime(2026, 11, 23, 8, tzinfo=UTC)
LIMITS = Thresholds.of(8.0, 0.05, 0.02, 10)  # begins at 0.4 t, ends below 0.16 t


def loads(*values: float | None) -> list[CraneReading]:
    return [
        CraneReading(T0 + timedelta(seconds=i), v, 20.0, 0.0, 10.0, None, None)
        for i, v in enumerate(values)
    ]


def test_a_load_dipping_between_the_thresholds_stays_one_lift() -> None:
    [lift] = detect_lifts(loads(0, *[1.0] * 10, 0.3, 0.2, *[1.0] * 10, 0.1), LIMITS)
    assert lift.duration_s == 22
    assert lift.readings == 22


def test_a_reading_without_a_load_neither_begins_nor_ends_a_lift() -> None:
    [lift] = detect_lifts(loads(None, *[1.0] * 6, None, *[1.0] * 6, 0.0), LIMITS)
    assert lift.started_at == T0 + timedelta(seconds=1)
    assert lift.duration_s == 13


def test_a_lift_still_loaded_at_the_last_reading_is_not_yet_a_lift() -> None:
    assert detect_lifts(loads(0, *[2.0] * 30), LIMITS) == []


def test_a_snatch_shorter_than_the_shortest_lift_is_none() -> None:
    assert detect_lifts(loads(0, *[2.0] * 9, 0.0), LIMITS) == []
    assert len(detect_lifts(loads(0, *[2.0] * 10, 0.0), LIMITS)) == 1


def test_the_end_share_must_be_below_the_start_share() -> None:
    with pytest.raises(SitePulseError, match="lift_end_share"):
        Thresholds.of(8.0, 0.05, 0.05, 10)


def test_the_floor_set_down_on_is_the_highest_slab_below_the_hook() -> None:
    floors = [(-1, -4.5), (1, 0.0), (2, 4.5), (3, 8.0)]
    assert floor_at(9.5, floors) == 3
    assert floor_at(4.5, floors) == 2
    assert floor_at(-10.0, floors) is None
    assert floor_at(None, floors) is None
