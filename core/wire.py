"""The readings devices send (CONTRACT §1), validated per kind with pydantic; refusals
become reasons a person can act on (`wind_mps=95.0 above 80`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.kinds import ReadingKind

FUTURE_LIMIT = timedelta(minutes=5)
EARLIEST_TS = datetime(2000, 1, 1, tzinfo=UTC)
MAX_BATCH = 10_000


class BadReading(ValueError):
    pass


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    kind: ClassVar[ReadingKind]
    measurements: ClassVar[tuple[str, ...]]

    ts: int | str | None = None
    seq: Annotated[int, Field(ge=0, le=2**32 - 1)] | None = None

    @model_validator(mode="after")
    def _has_measurement(self) -> Reading:
        if all(getattr(self, key) is None for key in self.measurements):
            keys = ", ".join(self.measurements)
            msg = f"no measurement key (a {self.kind} reading needs one of {keys})"
            raise ValueError(msg)
        return self


class CraneReading(Reading):
    kind = "crane"
    measurements = (
        "load_t", "radius_m", "height_m", "slew_deg", "moment_pct", "wind_mps", "tilt_deg",
    )  # fmt: skip
    load_t: Annotated[float, Field(ge=0, le=100)] | None = None
    radius_m: Annotated[float, Field(ge=0, le=120)] | None = None
    height_m: Annotated[float, Field(ge=-50, le=400)] | None = None
    slew_deg: Annotated[float, Field(ge=0, lt=360)] | None = None
    moment_pct: Annotated[float, Field(ge=0, le=250)] | None = None
    wind_mps: Annotated[float, Field(ge=0, le=80)] | None = None
    tilt_deg: Annotated[float, Field(ge=0, le=15)] | None = None


class TagReading(Reading):
    kind = "tag"
    measurements = ("x_m", "y_m")
    x_m: Annotated[float, Field(ge=-10000, le=10000)] | None = None
    y_m: Annotated[float, Field(ge=-10000, le=10000)] | None = None
    z_m: Annotated[float, Field(ge=-100, le=1000)] | None = None
    floor: Annotated[int, Field(ge=-10, le=200)] | None = None
    battery_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    sos: bool | None = None

    @model_validator(mode="after")
    def _has_position(self) -> TagReading:
        missing = [key for key in ("x_m", "y_m") if getattr(self, key) is None]
        if missing:
            msg = f"a tag reading needs both x_m and y_m (missing {', '.join(missing)})"
            raise ValueError(msg)
        return self


class EnvReading(Reading):
    kind = "env"
    measurements = ("temp_c", "rh_pct", "pm25_ugm3", "pm10_ugm3", "noise_dba", "core_temp_c")
    temp_c: Annotated[float, Field(ge=-50, le=80)] | None = None
    rh_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    pm25_ugm3: Annotated[float, Field(ge=0, le=2000)] | None = None
    pm10_ugm3: Annotated[float, Field(ge=0, le=2000)] | None = None
    noise_dba: Annotated[float, Field(ge=20, le=140)] | None = None
    core_temp_c: Annotated[float, Field(ge=-50, le=100)] | None = None


READING_MODELS: dict[ReadingKind, type[Reading]] = {
    "crane": CraneReading,
    "tag": TagReading,
    "env": EnvReading,
}


def validate_reading(kind: ReadingKind, item: object) -> Reading:
    """Validate one reading object of a kind; raise BadReading with an actionable reason."""
    if not isinstance(item, dict):
        msg = f"a reading must be a JSON object, not {_json_type(item)}"
        raise BadReading(msg)
    model = READING_MODELS[kind]
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        raise BadReading(explain(exc, model)) from None


def reading_time(reading: Reading, received_at: datetime) -> tuple[datetime, bool]:
    """The reading's timestamp and whether the receive time stands in for a missing one."""
    raw = reading.ts
    if raw is None:
        return received_at, True
    if isinstance(raw, int):
        try:
            ts = datetime.fromtimestamp(raw / 1000, tz=UTC) if abs(raw) < 2**53 else None
        except (ValueError, OverflowError, OSError):  # beyond year 9999
            ts = None
        if ts is None or ts < EARLIEST_TS:
            msg = f"ts={raw} is not epoch milliseconds after 2000-01-01 (seconds sent?)"
            raise BadReading(msg)
    else:
        try:
            ts = datetime.fromisoformat(raw)
        except ValueError:
            msg = f"ts={raw!r} is not an RFC 3339 time such as 2026-11-23T08:00:00+08:00"
            raise BadReading(msg) from None
        if ts.tzinfo is None:
            msg = f"ts={raw!r} has no UTC offset (add Z or +08:00)"
            raise BadReading(msg)
        if ts < EARLIEST_TS:
            msg = f"ts={raw!r} is before 2000-01-01"
            raise BadReading(msg)
    if ts - received_at > FUTURE_LIMIT:
        ahead = (ts - received_at).total_seconds()
        msg = f"ts={raw!r} is {ahead:.0f} s ahead of the receive time (limit 300 s): device clock?"
        raise BadReading(msg)
    return ts, False


def explain(exc: ValidationError, model: type[Reading]) -> str:
    reasons: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        key = str(error["loc"][0]) if error["loc"] else ""
        reasons.setdefault(key, _explain_one(error, model))
    return "; ".join(reasons.values())


def _explain_one(error: Any, model: type[Reading]) -> str:
    loc = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
    key = loc.split(".")[0] if loc else ""
    value = error.get("input")
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if key == "ts":
        return f"ts={_short(value)} is {_json_type(value)}, expected epoch milliseconds or RFC 3339"
    if kind == "extra_forbidden":
        allowed = ", ".join(k for k in model.model_fields if k not in ("ts", "seq"))
        return f"unknown key {key!r} for kind {model.kind} (expected ts, seq, {allowed})"
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        word = "above" if kind == "less_than_equal" else "not below"
        return f"{key}={value!r} {word} {_number(limit)}"
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return f"{key}={value!r} below {_number(limit)}"
    if kind in ("float_type", "int_type", "bool_type", "string_type"):
        wanted = {"float_type": "a number", "int_type": "an integer", "bool_type": "true or false"}
        return f"{key}={_short(value)} is {_json_type(value)}, expected {wanted.get(kind, 'text')}"
    if not key:
        return str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {error['msg']}"


def _number(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
