"""Touched buckets become ranges of adjacent buckets, none longer than a backfill step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.rollups import MINUTE, ranges

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def minutes(*offsets: int) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in offsets]


def test_adjacent_minutes_merge_and_a_gap_starts_a_new_range() -> None:
    assert list(ranges(minutes(0, 1, 2, 5, 7, 8), MINUTE)) == [
        (T0, T0 + timedelta(minutes=3)),
        (T0 + timedelta(minutes=5), T0 + timedelta(minutes=6)),
        (T0 + timedelta(minutes=7), T0 + timedelta(minutes=9)),
    ]


def test_nothing_touched_is_no_range_and_a_backfill_is_cut_into_six_hour_steps() -> None:
    assert list(ranges([], MINUTE)) == []
    day = list(ranges(minutes(*range(24 * 60)), MINUTE))
    assert len(day) == 4
    assert all(hi - lo == timedelta(hours=6) for lo, hi in day)
    assert day[-1][1] == T0 + timedelta(days=1)
