"""Grafana's side of a panel query, for running panel SQL outside Grafana (the tests and
the benchmark): template variables and `$__interval` are interpolated, then the
PostgreSQL data source's macros are expanded as it does with TimescaleDB on
($__timeGroup uses time_bucket)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

_MACRO = re.compile(r"\$__(\w+)\(([^()]*)\)")
_INTERVAL = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class QueryContext:
    """What Grafana knows when it runs a panel: the range, the interval, the variables."""

    time_from: datetime
    time_to: datetime
    interval: timedelta
    variables: dict[str, str] = field(default_factory=dict)

    def with_time_from(self, relative: str | None) -> QueryContext:
        """A panel's own relative range (`timeFrom: "24h"`) replaces the dashboard's."""
        if relative is None:
            return self
        return QueryContext(
            self.time_to - parse_interval(relative), self.time_to, self.interval, self.variables
        )


def parse_interval(text: str) -> timedelta:
    match = _INTERVAL.match(text.strip().strip("'\""))
    if not match:
        msg = f"interval {text!r} is not a number and one of ms, s, m, h, d (e.g. 5m)"
        raise ValueError(msg)
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def interval_text(interval: timedelta) -> str:
    ms = round(interval.total_seconds() * 1000)
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def expand(sql: str, context: QueryContext) -> str:
    text = sql.replace("$__interval_ms", str(round(context.interval.total_seconds() * 1000)))
    text = text.replace("$__interval", interval_text(context.interval))
    for name in sorted(context.variables, key=len, reverse=True):
        text = _variable(name).sub(partial(_formatted, context.variables[name]), text)
    text = _MACRO.sub(lambda m: _macro(m[1], [a.strip() for a in m[2].split(",")], context), text)
    leftover = re.search(r"\$\{\w+(?::\w+)?\}|\$\w+", text)
    if leftover:
        msg = f"{leftover[0]} is neither a variable nor a macro this helper knows"
        raise ValueError(msg)
    return text


def _variable(name: str) -> re.Pattern[str]:
    return re.compile(rf"\$\{{{name}(?::(?P<format>\w+))?\}}|\${name}\b")


def _formatted(value: str, match: re.Match[str]) -> str:
    """A variable's value in one of Grafana's formats (`${site:sqlstring}`)."""
    fmt = match["format"]
    if fmt is None or fmt == "raw":
        return value
    if fmt == "sqlstring":
        return "'" + value.replace("'", "''") + "'"
    msg = f"${{...:{fmt}}} is a variable format this helper does not know (sqlstring, raw)"
    raise ValueError(msg)


def _macro(name: str, args: list[str], context: QueryContext) -> str:
    start, end = _timestamp(context.time_from), _timestamp(context.time_to)
    if name == "timeFilter":
        return f"{args[0]} BETWEEN {start} AND {end}"
    if name == "timeFrom":
        return start
    if name == "timeTo":
        return end
    if name in ("timeGroup", "timeGroupAlias"):
        seconds = int(parse_interval(args[1]).total_seconds())
        group = f"time_bucket('{seconds}s', {args[0]})"
        return f'{group} AS "time"' if name == "timeGroupAlias" else group
    if name == "unixEpochFilter":
        return (
            f"{args[0]} >= {int(context.time_from.timestamp())} AND "
            f"{args[0]} <= {int(context.time_to.timestamp())}"
        )
    msg = f"$__{name}() is not a macro of Grafana's PostgreSQL data source"
    raise ValueError(msg)


def _timestamp(moment: datetime) -> str:
    return "'" + moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"
