"""core.wire: reading validation per kind, the reasons given for refusals, and `ts` handling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.kinds import ReadingKind
from core.wire import (
    EARLIEST_TS,
    FUTURE_LIMIT,
    BadReading,
    reading_time,
    validate_reading,
)

RECEIVED = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
CRANE_KEYS = "load_t, radius_m, height_m, slew_deg, moment_pct, wind_mps, tilt_deg"


def ms(when: datetime) -> int:
    return round(when.timestamp() * 1000)


def reason(kind: ReadingKind, item: object) -> str:
    with pytest.raises(BadReading) as caught:
        validate_reading(kind, item)
    return str(caught.value)


def time_of(ts: int | str | None) -> tuple[datetime, bool]:
    reading = validate_reading("env", {"ts": ts, "temp_c": 20.0})
    return reading_time(reading, RECEIVED)


def time_reason(ts: int | str) -> str:
    reading = validate_reading("env", {"ts": ts, "temp_c": 20.0})
    with pytest.raises(BadReading) as caught:
        reading_time(reading, RECEIVED)
    return str(caught.value)


# --- valid readings -------------------------------------------------------------------------


def test_crane_reading_keeps_every_measurement() -> None:
    item = {
        "ts": 1763884800123,
        "seq": 7,
        "load_t": 3.2,
        "radius_m": 41.0,
        "height_m": 55.5,
        "slew_deg": 359.9,
        "moment_pct": 71.0,
        "wind_mps": 12.5,
        "tilt_deg": 0.4,
    }
    assert validate_reading("crane", item) == item


def test_integer_accepted_for_a_number_and_stored_as_float() -> None:
    reading = validate_reading("crane", {"wind_mps": 5})
    assert reading == {"wind_mps": 5.0}
    assert isinstance(reading["wind_mps"], float)


def test_tag_reading_with_optional_keys() -> None:
    item = {"x_m": 12.5, "y_m": 40.1, "z_m": 27.0, "floor": 7, "battery_pct": 88, "sos": True}
    reading = validate_reading("tag", item)
    assert reading == item
    assert "ts" not in reading
    assert "seq" not in reading


def test_env_reading_with_one_measurement() -> None:
    assert validate_reading("env", {"core_temp_c": 35.5}) == {"core_temp_c": 35.5}


@pytest.mark.parametrize(
    ("kind", "item"),
    [
        ("crane", {"wind_mps": 80}),
        ("crane", {"wind_mps": 0}),
        ("crane", {"load_t": 100}),
        ("crane", {"height_m": -50}),
        ("crane", {"slew_deg": 0}),
        ("crane", {"tilt_deg": 15}),
        ("crane", {"moment_pct": 250}),
        ("tag", {"x_m": -10000, "y_m": 10000}),
        ("tag", {"x_m": 0, "y_m": 0, "floor": -10}),
        ("tag", {"x_m": 0, "y_m": 0, "floor": 200, "z_m": 1000}),
        ("env", {"noise_dba": 20}),
        ("env", {"noise_dba": 140}),
        ("env", {"pm25_ugm3": 2000, "pm10_ugm3": 0}),
        ("env", {"temp_c": 20, "seq": 0}),
        ("env", {"temp_c": 20, "seq": 2**32 - 1}),
        ("env", {"temp_c": 20, "ts": None}),
    ],
)
def test_boundary_values_are_accepted(kind: ReadingKind, item: dict[str, object]) -> None:
    assert validate_reading(kind, item) == item


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "item", "expected"),
    [
        ("crane", {"wind_mps": 95.0}, "wind_mps=95.0 above 80"),
        ("crane", {"load_t": -1}, "load_t=-1 below 0"),
        ("crane", {"slew_deg": 360}, "slew_deg=360 not below 360"),
        ("crane", {"tilt_deg": 15.5}, "tilt_deg=15.5 above 15"),
        ("env", {"noise_dba": 10}, "noise_dba=10 below 20"),
        ("env", {"rh_pct": 100.1}, "rh_pct=100.1 above 100"),
        ("tag", {"x_m": 10001, "y_m": 0}, "x_m=10001 above 10000"),
        ("tag", {"x_m": 0, "y_m": 0, "floor": 201}, "floor=201 above 200"),
        ("tag", {"x_m": 0, "y_m": 0, "battery_pct": -5}, "battery_pct=-5 below 0"),
        ("env", {"temp_c": 20, "seq": -1}, "seq=-1 below 0"),
    ],
)
def test_out_of_range_reason(kind: ReadingKind, item: dict[str, object], expected: str) -> None:
    assert reason(kind, item) == expected


def test_seq_above_range_names_the_exact_limit() -> None:
    # Regression (core/wire.py _explain_one): `{limit:g}` renders 4294967295 as 4.29497e+09.
    assert reason("env", {"temp_c": 20, "seq": 2**32}) == "seq=4294967296 above 4294967295"


def test_seq_above_range_is_refused() -> None:
    assert reason("env", {"temp_c": 20, "seq": 2**32}).startswith("seq=4294967296 above ")


@pytest.mark.parametrize(
    ("kind", "item", "expected"),
    [
        ("env", {"temp_c": "hot"}, "temp_c='hot' is a string, expected a number"),
        ("crane", {"wind_mps": True}, "wind_mps=True is a boolean, expected a number"),
        ("crane", {"load_t": False}, "load_t=False is a boolean, expected a number"),
        ("crane", {"wind_mps": [1]}, "wind_mps=[1] is an array, expected a number"),
        ("tag", {"x_m": 0, "y_m": 0, "floor": 7.5}, "floor=7.5 is a number, expected an integer"),
        (
            "tag",
            {"x_m": 0, "y_m": 0, "floor": True},
            "floor=True is a boolean, expected an integer",
        ),
        ("tag", {"x_m": 0, "y_m": 0, "sos": 1}, "sos=1 is a number, expected true or false"),
        (
            "tag",
            {"x_m": 0, "y_m": 0, "sos": "yes"},
            "sos='yes' is a string, expected true or false",
        ),
        ("env", {"temp_c": 20, "seq": "5"}, "seq='5' is a string, expected an integer"),
        ("env", {"temp_c": 20, "seq": True}, "seq=True is a boolean, expected an integer"),
        ("env", {"temp_c": 20, "seq": 1.5}, "seq=1.5 is a number, expected an integer"),
    ],
)
def test_wrong_type_reason(kind: ReadingKind, item: dict[str, object], expected: str) -> None:
    assert reason(kind, item) == expected


def test_long_wrong_value_is_shortened() -> None:
    text = reason("env", {"temp_c": "x" * 100})
    assert text.startswith("temp_c='xxxx")
    assert "..." in text
    assert len(text) < 100


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        (1.5, "ts=1.5 is a number, expected epoch milliseconds or RFC 3339"),
        (True, "ts=True is a boolean, expected epoch milliseconds or RFC 3339"),
        ([1], "ts=[1] is an array, expected epoch milliseconds or RFC 3339"),
        ({"a": 1}, "ts={'a': 1} is an object, expected epoch milliseconds or RFC 3339"),
    ],
)
def test_ts_of_wrong_type(ts: object, expected: str) -> None:
    assert reason("env", {"ts": ts, "temp_c": 20}) == expected


@pytest.mark.parametrize(
    ("kind", "extra", "base"),
    [
        ("crane", "foo", {"wind_mps": 1}),
        ("env", "x_m", {"temp_c": 1}),
        ("tag", "temp_c", {"x_m": 1, "y_m": 2}),
    ],
)
def test_unknown_key(kind: ReadingKind, extra: str, base: dict[str, object]) -> None:
    text = reason(kind, {**base, extra: 1})
    assert text.startswith(f"unknown key {extra!r} for kind {kind} (expected ts, seq, ")


def test_unknown_key_lists_the_allowed_keys() -> None:
    text = reason("crane", {"wind_mps": 1, "colour": "red"})
    assert text == f"unknown key 'colour' for kind crane (expected ts, seq, {CRANE_KEYS})"


@pytest.mark.parametrize(
    ("kind", "item", "expected"),
    [
        ("crane", {}, f"no measurement key (crane readings need one of {CRANE_KEYS})"),
        ("crane", {"ts": 1763884800123, "seq": 1}, "no measurement key (crane readings"),
        ("env", {"ts": None}, "no measurement key (env readings"),
        ("tag", {"battery_pct": 50}, "no measurement key (tag readings need one of x_m, y_m)"),
    ],
)
def test_missing_measurement(kind: ReadingKind, item: dict[str, object], expected: str) -> None:
    assert reason(kind, item).startswith(expected)


@pytest.mark.parametrize(
    ("item", "missing"),
    [({"x_m": 1}, "y_m"), ({"y_m": 1, "floor": 3}, "x_m"), ({"x_m": 1, "sos": True}, "y_m")],
)
def test_tag_needs_x_and_y(item: dict[str, object], missing: str) -> None:
    assert reason("tag", item) == f"tag readings need both x_m and y_m (missing {missing})"


def test_several_problems_are_joined() -> None:
    text = reason("crane", {"wind_mps": 95, "tilt_deg": 20})
    assert text == "wind_mps=95 above 80; tilt_deg=20 above 15"


@pytest.mark.parametrize(
    ("item", "name"),
    [([{"temp_c": 1}], "an array"), ("x", "a string"), (None, "null"), (3, "a number")],
)
def test_reading_must_be_an_object(item: object, name: str) -> None:
    assert reason("env", item) == f"a reading must be a JSON object, not {name}"


def test_bad_reading_is_a_value_error() -> None:
    assert issubclass(BadReading, ValueError)


# --- reading_time ---------------------------------------------------------------------------


def test_missing_ts_uses_the_receive_time() -> None:
    assert time_of(None) == (RECEIVED, True)


def test_epoch_milliseconds() -> None:
    ts, from_receive = time_of(1763884800123)
    assert ts == datetime(2025, 11, 23, 8, 0, 0, 123000, tzinfo=UTC)
    assert from_receive is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T08:00:00+08:00", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),
        ("2026-11-22T23:59:00Z", datetime(2026, 11, 22, 23, 59, tzinfo=UTC)),
        ("2026-11-22T22:59:00.250-01:00", datetime(2026, 11, 22, 23, 59, 0, 250000, tzinfo=UTC)),
    ],
)
def test_rfc3339_with_offset(text: str, expected: datetime) -> None:
    ts, from_receive = time_of(text)
    assert ts == expected
    assert ts.utcoffset() is not None
    assert from_receive is False


def test_rfc3339_without_offset_is_refused() -> None:
    text = time_reason("2026-11-23T08:00:00")
    assert text == "ts='2026-11-23T08:00:00' has no UTC offset (add Z or +08:00)"


@pytest.mark.parametrize("text", ["yesterday", "", "2026-13-01T00:00:00Z", "1763884800123"])
def test_unparseable_ts_is_refused(text: str) -> None:
    assert time_reason(text) == (
        f"ts={text!r} is not an RFC 3339 time such as 2026-11-23T08:00:00+08:00"
    )


def test_ts_up_to_five_minutes_ahead_is_accepted() -> None:
    ts, _ = time_of(ms(RECEIVED + FUTURE_LIMIT))
    assert ts == RECEIVED + timedelta(minutes=5)
    ts, _ = time_of((RECEIVED + FUTURE_LIMIT).isoformat())
    assert ts == RECEIVED + timedelta(minutes=5)


def test_ts_in_the_past_is_accepted() -> None:
    ts, _ = time_of(ms(RECEIVED - timedelta(days=30)))
    assert ts == RECEIVED - timedelta(days=30)


@pytest.mark.parametrize(
    "ts",
    [
        ms(RECEIVED + FUTURE_LIMIT + timedelta(milliseconds=1)),
        ms(RECEIVED + timedelta(hours=1)),
        (RECEIVED + timedelta(minutes=6)).isoformat(),
        "2026-11-23T08:10:00+08:00",
    ],
)
def test_ts_more_than_five_minutes_ahead_is_refused(ts: int | str) -> None:
    text = time_reason(ts)
    assert text.startswith(f"ts={ts!r} is ")
    assert "s ahead of the receive time (limit 300 s)" in text


def test_future_reason_gives_the_seconds_ahead() -> None:
    text = time_reason(ms(RECEIVED + timedelta(hours=1)))
    assert " is 3600 s ahead " in text


@pytest.mark.parametrize(
    "ts",
    [
        1_763_884_800,  # seconds, not milliseconds
        ms(EARLIEST_TS) - 1,
        0,
        -1,
    ],
)
def test_epoch_ms_before_2000_is_refused(ts: int) -> None:
    text = time_reason(ts)
    assert text == f"ts={ts} is not epoch milliseconds after 2000-01-01 (seconds sent?)"


def test_epoch_ms_at_2000_is_accepted() -> None:
    ts, _ = time_of(ms(EARLIEST_TS))
    assert ts == datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("ts", [2**53, -(2**53), 10**18])
def test_epoch_ms_beyond_float_precision_is_refused(ts: int) -> None:
    assert "is not epoch milliseconds" in time_reason(ts)


@pytest.mark.parametrize("ts", [253_402_300_800_000, 10**15, 2**53 - 1, -(2**52)])
def test_epoch_ms_outside_datetime_range_is_refused_not_crashing(ts: int) -> None:
    # Regression (core/wire.py reading_time): datetime.fromtimestamp raises ValueError ("year ... is
    # out of range") for these values; it is not turned into BadReading, so the decoder
    # (which catches only BadReading) crashes instead of writing a dead letter.
    with pytest.raises(BadReading):
        time_of(ts)
