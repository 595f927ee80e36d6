"""A refresh rolls again the minutes with rows received since the last one, and those of
the last one's overlap that gained rows; every minute found when it cannot tell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.touched import MinuteRows, Watermark, overlap_counts, touched

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
UPTO = T0 + timedelta(minutes=30)
OVERLAP = timedelta(minutes=10)


def minute(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def mark(counted: dict[int, int], overlap_from: datetime | None = UPTO - OVERLAP) -> Watermark:
    return Watermark(UPTO, overlap_from, [minute(n) for n in counted], list(counted.values()), UPTO)


def test_fresh_rows_and_overlap_minutes_that_gained_rows_are_rolled_again() -> None:
    found = [
        MinuteRows(minute(21), fresh=0, recounted=3, overlap=0),  # as counted: left alone
        MinuteRows(minute(22), fresh=0, recounted=4, overlap=0),  # one more: committed late
        MinuteRows(minute(23), fresh=0, recounted=1, overlap=0),  # none counted before
        MinuteRows(minute(31), fresh=2, recounted=0, overlap=2),  # received since
        MinuteRows(minute(2), fresh=1, recounted=0, overlap=1),  # a late reading, received since
    ]
    assert touched(found, mark({21: 3, 22: 3}), UPTO - OVERLAP) == [
        minute(22),
        minute(23),
        minute(31),
        minute(2),
    ]


def test_every_minute_found_when_never_refreshed_or_the_overlap_changed() -> None:
    found = [MinuteRows(minute(n), fresh=0, recounted=1, overlap=0) for n in (21, 22)]
    everything = [minute(21), minute(22)]
    assert touched(found, mark({21: 1, 22: 1}), None) == everything
    shorter = UPTO - timedelta(minutes=5)
    assert touched(found, mark({21: 1, 22: 1}), shorter) == everything
    assert touched(found, mark({21: 1, 22: 1}, overlap_from=None), UPTO - OVERLAP) == everything


def test_what_a_refresh_keeps_of_its_overlap_for_the_next() -> None:
    found = [
        MinuteRows(minute(1), fresh=1, recounted=0, overlap=0),
        MinuteRows(minute(31), fresh=2, recounted=1, overlap=3),
    ]
    assert overlap_counts(found) == ([minute(31)], [3])
