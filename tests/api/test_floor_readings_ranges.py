"""Which part of a floor series' range is read from which source: the rollups serve whole
minutes (whole hours, for buckets of whole hours) before the minute the last refresh
reached; the rest is raw."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from api.floor_series import HOUR, MINUTE, Spans, split_range

DAY = timedelta(days=1)
T0 = datetime(2026, 11, 23, tzinfo=UTC)


def at(hours: int, minutes: int = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def test_a_month_in_hours_reads_hours_between_minutes_between_raw_edges() -> None:
    start, end, upto = at(-720, 17, 30.5), at(0, 5, 12), at(0, 4, 40)
    assert split_range(start, end, HOUR, upto) == Spans(
        start=start,
        rolled_from=at(-720, 18),
        hours_from=at(-719),
        hours_to=at(0),
        rolled_to=at(0, 4),
        end=end,
    )


def test_buckets_under_an_hour_read_no_hourly_rollup() -> None:
    start, end, upto = at(-20, 17, 30.5), at(0, 5, 12), at(0, 4, 40)
    spans = split_range(start, end, 5 * MINUTE, upto)
    assert (spans.rolled_from, spans.rolled_to) == (at(-20, 18), at(0, 4))
    assert spans.hours_from == spans.hours_to


def test_never_refreshed_reads_everything_raw() -> None:
    spans = split_range(at(-720, 17, 30.5), at(0, 5, 12), HOUR, None)
    assert spans.rolled_from == spans.rolled_to


def test_a_range_the_refresh_has_not_reached_reads_raw() -> None:
    spans = split_range(at(1), at(3), HOUR, at(0, 30))
    assert spans.rolled_from == spans.rolled_to


def test_a_range_within_a_minute_reads_raw() -> None:
    spans = split_range(at(0, 0, 10), at(0, 0, 50), MINUTE, at(2))
    assert spans.rolled_from == spans.rolled_to


def test_a_range_before_the_watermark_ends_at_its_own_last_whole_minute() -> None:
    spans = split_range(at(-2, 0, 1), at(-1, 30, 59), HOUR, at(0))
    assert (spans.rolled_from, spans.hours_from, spans.hours_to) == (at(-2, 1), at(-1), at(-1))
    assert spans.rolled_to == at(-1, 30)


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)
widths = st.sampled_from([MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, DAY])


def aligned(moment: datetime, width: timedelta) -> bool:
    return (moment - T0) % width == timedelta(0)


@given(moments, st.timedeltas(timedelta(microseconds=1), 40 * DAY), widths, moments | st.none())
def test_the_parts_cover_the_range_in_order_each_whole_and_before_the_watermark(
    start: datetime, length: timedelta, bucket: timedelta, upto: datetime | None
) -> None:
    end = start + length
    s = split_range(start, end, bucket, upto)
    assert start <= s.rolled_from <= s.hours_from <= s.hours_to <= s.rolled_to <= end
    if s.rolled_from < s.rolled_to:  # rolled up: whole minutes, all before upto's minute
        assert upto is not None
        assert aligned(s.rolled_from, MINUTE)
        assert aligned(s.rolled_to, MINUTE)
        assert s.rolled_to <= upto
        assert s.rolled_from - start < MINUTE
        # the raw tail is the last part minute of the range, or what upto's minute began
        assert end - s.rolled_to < MINUTE or upto - s.rolled_to < MINUTE
    else:
        assert upto is None or end - start < 2 * MINUTE or upto < start + 2 * MINUTE
    if s.hours_from < s.hours_to:
        assert bucket % HOUR == timedelta(0)
        assert aligned(s.hours_from, HOUR)
        assert aligned(s.hours_to, HOUR)
        assert s.hours_from - s.rolled_from < HOUR
        assert s.rolled_to - s.hours_to < HOUR
    elif bucket % HOUR == timedelta(0):
        assert s.rolled_to - s.rolled_from < 2 * HOUR
