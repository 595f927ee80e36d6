"""A rule is data: what it judges, when it fires, when it clears, how loud, and which
standard says so. Packs of rules are YAML files validated by these models; a predicate is
one of those rules/predicates.py declares, with the parameters it declares."""

from __future__ import annotations

import re
import string
from datetime import time, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from core.kinds import DeviceKind
from core.wire import SPECS
from rules.predicates import PREDICATES, Declared, Params
from schedules.model import TaskType

Severity = Literal["critical", "major", "minor", "warning"]
SEVERITIES: tuple[Severity, ...] = ("critical", "major", "minor", "warning")
Op = Literal[">", ">=", "<", "<=", "==", "!="]
# What a message template may name.
MESSAGE_FIELDS = frozenset(
    {
        "subject",
        "device",
        "worker",
        "trade",
        "floor",
        "zone",
        "value",
        "threshold",
        "metric",
        "rule",
        "detail",
        "crane",
        "count",
    }
)
# How a template may format a value: an optional width and precision of one or two digits
# and a type (`{value:.1f}`, `{count:d}`, `{value:>6.1f}`); nothing that could grow a
# message without bound (`{value:>999999999}`) or look into a value (`{worker.__class__}`).
MESSAGE_FORMAT_SPEC = re.compile(r"^[<>^]?\d{0,2}(?:\.\d)?[dfeg%]?$")
MESSAGE_CONVERSIONS = frozenset({"s", "r"})
MESSAGE_MAX_CHARS = 500
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> timedelta:
    """`90`, `"90s"`, `"5m"`, `"2h"`, `"1d"` (a bare number is seconds)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        msg = f"{value!r} is not a duration (write 30s, 5m, 2h or a number of seconds)"
        raise ValueError(msg)
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def _parse_clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        msg = f"{value!r} is not a time of day (write HH:MM, site time)"
        raise ValueError(msg) from None


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Clock = Annotated[time, BeforeValidator(_parse_clock)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Band(_Strict):
    """A threshold that holds from `from` to `to`, site time; a band may wrap midnight."""

    start: Clock = Field(alias="from")
    end: Clock = Field(alias="to")
    value: float

    def covers(self, at: time) -> bool:
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


Threshold = float | Annotated[list[Band], Field(min_length=1)]


class Condition(_Strict):
    metric: str
    op: Op
    value: Threshold


class Clear(_Strict):
    """The hysteresis: the alert resolves once this holds for `for`. A threshold rule
    without `op`/`value` clears when its condition no longer holds; a predicate rule
    clears when its predicate no longer holds, so it gives only `for`."""

    op: Op | None = None
    value: Threshold | None = None
    for_: Duration = Field(default=timedelta(0), alias="for")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Clear:
        if (self.op is None) != (self.value is None):
            raise ValueError("give both `op` and `value`, or neither")
        return self


class Predicate(_Strict):
    name: str
    params: dict[str, float | str] = {}

    @field_validator("name")
    @classmethod
    def _known_name(cls, name: str) -> str:
        if name not in PREDICATES:
            msg = f"no predicate {name!r} (known: {', '.join(PREDICATES)})"
            raise ValueError(msg)
        return name

    @model_validator(mode="after")
    def _known_params(self) -> Predicate:
        defaults = self.declared.params
        for key, value in self.params.items():
            if key not in defaults:
                known = ", ".join(defaults) or "none"
                msg = f"{self.name} has no parameter {key!r} (it has: {known})"
                raise ValueError(msg)
            if type(value) is not type(defaults[key]) and not (
                isinstance(defaults[key], float) and isinstance(value, int)
            ):
                msg = f"{key} should be a {type(defaults[key]).__name__}, not {value!r}"
                raise ValueError(msg)
        return self

    @property
    def declared(self) -> Declared:
        """What rules/predicates.py declares of this predicate."""
        return PREDICATES[self.name]

    @property
    def arguments(self) -> Params:
        """The parameters, with the declared defaults for those not given."""
        return {**self.declared.params, **self.params}


class Scope(_Strict):
    """Empty lists mean every one."""

    kinds: list[DeviceKind] = []
    floors: list[int] = []
    zones: list[str] = []
    devices: list[str] = []
    # A quality rule: it judges readings only where and while a schedule task of one of
    # these types is active (its floors and zones; any floor for devices with none, such
    # as cranes), and its alerts and excursions belong to that task.
    task_types: list[TaskType] = []

    def admits(self, kind: str, device: str, floor: int | None) -> bool:
        """Whether the scope's kinds, devices and floors hold this device (its zones are
        checked on readings only)."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.devices or device in self.devices)
            and (not self.floors or floor in self.floors)
        )


class Rule(_Strict):
    id: RuleId
    name: str
    severity: Severity
    source: Annotated[str, Field(min_length=3)]
    message: Annotated[str, Field(max_length=MESSAGE_MAX_CHARS)]
    kind: DeviceKind | None = None
    when: Condition | None = None
    predicate: Predicate | None = None
    for_: Duration = Field(default=timedelta(0), alias="for")
    clear: Clear | None = None
    auto_resolve: bool = True
    enabled: bool = True
    scope: Scope = Scope()
    # Rules whose open alert about the same subject makes this one redundant (a
    # pre-alarm while the alarm stands): this rule then raises nothing.
    suppressed_by: list[RuleId] = []
    # A site-wide rule whose time in spec is also evidence in the quality record of
    # tasks of these types (wind for lifting tasks, noise for noisy works).
    evidence_for: list[TaskType] = []

    @field_validator("message")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        check_message_template(value)
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> Rule:
        if (self.when is None) == (self.predicate is None):
            raise ValueError("give exactly one of `when` (metric, op, value) or `predicate`")
        if self.predicate is not None and self.clear is not None and self.clear.op is not None:
            raise ValueError(
                "a predicate rule clears when its predicate stops holding: give clear.for only"
            )
        if self.when is not None:
            if self.kind is None or self.kind == "gateway":
                raise ValueError("a `when` rule needs `kind`: crane, tag or env")
            keys = SPECS[self.kind].keys
            if self.when.metric not in keys:
                msg = (
                    f"rule {self.id}: when.metric: {self.kind} readings have no "
                    f"{self.when.metric!r} (they have: {', '.join(keys)})"
                )
                raise ValueError(msg)
        return self

    @property
    def judges(self) -> DeviceKind:
        """The kind of device whose readings (or presence) this rule judges."""
        if self.predicate is not None:
            return self.predicate.declared.judges
        assert self.kind is not None
        return self.kind

    @property
    def rising(self) -> bool:
        """Whether a larger value is worse (for the alert's worst value)."""
        return self.when is None or self.when.op in (">", ">=", "==", "!=")


def check_message_template(template: str) -> None:
    """Raise ValueError naming the first field, format or conversion a template may not use."""
    try:
        fields = [
            (f, spec, conv)
            for _, f, spec, conv in string.Formatter().parse(template)
            if f is not None
        ]
    except ValueError as exc:
        raise ValueError(f"not a valid message template: {exc}") from None
    for name, _, _ in fields:
        if name == "" or name.isdigit():
            msg = "every {} needs a field's name, e.g. {value}"
            raise ValueError(msg)
    unknown = {f for f, _, _ in fields if f.split(".")[0].split("[")[0] not in MESSAGE_FIELDS}
    if unknown:
        msg = f"unknown field(s) {sorted(unknown)} (known: {', '.join(sorted(MESSAGE_FIELDS))})"
        raise ValueError(msg)
    for name, spec, conversion in fields:
        shown = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
        if name not in MESSAGE_FIELDS:
            msg = f"{shown}: write the field's name alone, without attributes or indexes"
            raise ValueError(msg)
        if conversion is not None and conversion not in MESSAGE_CONVERSIONS:
            msg = f"{shown}: conversion !{conversion} is not allowed (!s or !r)"
            raise ValueError(msg)
        if spec and not MESSAGE_FORMAT_SPEC.match(spec):
            msg = (
                f"{shown}: format {spec!r} is not allowed (a width and precision of at most "
                "two digits and one of d, f, e, g, %; e.g. .1f, .0f, >6.1f)"
            )
            raise ValueError(msg)


class RulePack(_Strict):
    pack: RuleId
    title: str
    rules: Annotated[list[Rule], Field(min_length=1)]
