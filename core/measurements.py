"""Each kind's measurements, declared once (CONTRACT §1): the key a device sends, its type,
bounds and unit, and what the service does with it. The wire validators, ingest's COPY
columns, the devices' latest values, the rules' samples, the floor read models and the
rollups are derived from this table; tests/core/test_measurements.py checks it against
the readings tables. Adding a measurement: a line here and a migration adding its column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.kinds import READING_KINDS, ReadingKind

Rollup = Literal["device", "floor"]
Width = Literal["1m", "1h"]
Summary = Literal["mean", "max"]
# Every readings table begins with these columns, in this order (migration 0002), typed
# as binary COPY names them (and pg_type.typname).
COMMON_COLUMN_TYPES: dict[str, str] = {
    "ts": "timestamptz",
    "device_id": "text",
    "site_id": "text",
    "received_at": "timestamptz",
    "ts_from_receive": "bool",
    "seq": "int8",
    "floor": "int4",
    "zone": "text",
}
_PG_TYPES = {float: "float8", int: "int4", bool: "bool"}


@dataclass(frozen=True, slots=True)
class Bounds:
    low: float
    high: float
    high_inclusive: bool = True


@dataclass(frozen=True, slots=True)
class Measurement:
    kind: ReadingKind
    key: str
    bounds: Bounds | None
    unit: str
    label: str
    python_type: type[float] | type[int] | type[bool] = float
    # each reading of the kind carries all its required keys; a kind with none of them
    # needs one key at least
    required: bool = False
    # what the readings table keeps of the key: its own column, or (a hint) common columns
    stored_as: tuple[str, ...] | None = None
    # rolled up per device (min, max, avg, sum, count, last a minute and an hour), and
    # per floor as well (storage/rollups.py)
    rollup: tuple[Rollup, ...] = ()
    # in a floor's status: the mean or the max of the floor's sensors' latest values (of
    # air sensors, but for a probe's own measurement)
    floor_summary: Summary | None = None
    # only a concrete probe measures it: a reading that carries it is a probe's
    probe: bool = False
    # what the value is in a probe's reading: rolled up per floor under that name
    probe_name: str | None = None
    # a device's latest values show this where its newest reading left the key out
    latest_default: bool | None = None

    @property
    def column(self) -> str | None:
        """The readings table's column of its own (None: a hint kept in common columns)."""
        return self.key if self.stored_as is None else None

    @property
    def stored(self) -> tuple[str, ...]:
        return (self.key,) if self.stored_as is None else self.stored_as

    @property
    def pg_type(self) -> str:
        return _PG_TYPES[self.python_type]


DEVICE: tuple[Rollup, ...] = ("device",)  # rolled up per device
FLOOR: tuple[Rollup, ...] = ("device", "floor")  # per device, and per floor
_M = Measurement

MEASUREMENTS: tuple[Measurement, ...] = (
    _M("crane", "load_t", Bounds(0, 100), "t", "Hook load", rollup=DEVICE),
    _M("crane", "radius_m", Bounds(0, 120), "m", "Hook radius", rollup=DEVICE),
    _M("crane", "height_m", Bounds(-50, 400), "m", "Hook height", rollup=DEVICE),
    _M("crane", "slew_deg", Bounds(0, 360, high_inclusive=False), "°", "Slew", rollup=DEVICE),
    _M("crane", "moment_pct", Bounds(0, 250), "%", "Load moment", rollup=DEVICE),
    _M("crane", "wind_mps", Bounds(0, 80), "m/s", "Wind at the jib", rollup=DEVICE),
    _M("crane", "tilt_deg", Bounds(0, 15), "°", "Tower tilt", rollup=DEVICE),
    _M("tag", "x_m", Bounds(-10000, 10000), "m", "Position x", required=True),
    _M("tag", "y_m", Bounds(-10000, 10000), "m", "Position y", required=True),
    _M("tag", "z_m", Bounds(-100, 1000), "m", "Height"),
    # the floor a tag says it is on: the reading's floor (and the zone found on it)
    _M("tag", "floor", Bounds(-10, 200), "", "Floor", python_type=int, stored_as=("floor", "zone")),
    _M("tag", "battery_pct", Bounds(0, 100), "%", "Tag battery", rollup=DEVICE),
    _M("tag", "sos", None, "", "SOS pressed", python_type=bool, latest_default=False),
    _M("env", "temp_c", Bounds(-50, 80), "°C", "Air temperature", rollup=FLOOR,
       floor_summary="mean", probe_name="surface_temp_c"),
    _M("env", "rh_pct", Bounds(0, 100), "%", "Humidity", rollup=FLOOR, floor_summary="mean"),
    _M("env", "pm25_ugm3", Bounds(0, 2000), "µg/m³", "PM2.5", rollup=FLOOR),
    _M("env", "pm10_ugm3", Bounds(0, 2000), "µg/m³", "PM10", rollup=FLOOR, floor_summary="max"),
    _M("env", "noise_dba", Bounds(20, 140), "dB(A)", "Noise", rollup=FLOOR, floor_summary="max"),
    _M("env", "core_temp_c", Bounds(-50, 100), "°C", "Concrete core temperature", rollup=FLOOR,
       floor_summary="max", probe=True),
)  # fmt: skip

BY_KIND: dict[ReadingKind, tuple[Measurement, ...]] = {
    kind: tuple(m for m in MEASUREMENTS if m.kind == kind) for kind in READING_KINDS
}
# the readings table's own columns of each kind, after the common ones
COLUMNS: dict[ReadingKind, tuple[Measurement, ...]] = {
    kind: tuple(m for m in measurements if m.column is not None)
    for kind, measurements in BY_KIND.items()
}
FLOOR_STATUS: tuple[Measurement, ...] = tuple(m for m in MEASUREMENTS if m.floor_summary)
(PROBE,) = (m for m in MEASUREMENTS if m.probe)
_BY_KEY = {(m.kind, m.key): m for m in MEASUREMENTS}


def table_of(kind: ReadingKind) -> str:
    return f"{kind}_readings"


def measurement(kind: ReadingKind, key: str) -> Measurement:
    found = _BY_KEY.get((kind, key))
    if found is None:
        msg = f"{kind} readings have no measurement {key!r}"
        raise KeyError(msg)
    return found


def rolled_up(kind: ReadingKind, level: Rollup) -> tuple[Measurement, ...]:
    return tuple(m for m in COLUMNS[kind] if level in m.rollup)


# The widths a kind's measurements are rolled up at per device. An environment sensor
# reports once or twice a minute, and nothing reads its minute series per device (the
# walls, the phone and the API read the floor's): a device's minute rollup would copy its
# raw rows, one rollup row per metric, most of what a backfill writes (issue 14). Its own
# series begin at the hour; its minutes are its raw rows, read by (device_id, ts). Per
# floor, every kind is rolled up at both widths.
_DEVICE_WIDTHS: dict[ReadingKind, tuple[Width, ...]] = {
    "crane": ("1m", "1h"),
    "tag": ("1m", "1h"),
    "env": ("1h",),
}


def rollup_widths(kind: ReadingKind, level: Rollup) -> tuple[Width, ...]:
    return _DEVICE_WIDTHS[kind] if level == "device" else ("1m", "1h")


def clamp(kind: ReadingKind, key: str, value: float) -> float:
    """A value brought within the measurement's bounds (a simulator's noise)."""
    bounds = measurement(kind, key).bounds
    if bounds is None:
        return value
    return min(float(bounds.high), max(float(bounds.low), value))
