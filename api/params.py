"""Query parameters several routes share."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from api.problems import Problem

# Dates and times a request may name. Wide enough for any site's records; narrow enough
# that a day's end, a default range before `to` or a time zone never leaves the calendar
# (Python's ends at 9999-12-31: `?day=9999-12-31` used to answer 500).
EARLIEST = date(1970, 1, 1)
LATEST = date(9998, 12, 31)
_BETWEEN = f"must be between {EARLIEST} and {LATEST}"


def _calendar_day(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(_BETWEEN)
    return day


def _calendar_moment(moment: datetime) -> datetime:
    # Compared as naive UTC: converting a time near the ends would itself overflow.
    offset = moment.utcoffset() or timedelta(0)
    local = moment.replace(tzinfo=None)
    if not (
        datetime.combine(EARLIEST, datetime.min.time()) + offset
        <= local
        < datetime.combine(LATEST + timedelta(days=1), datetime.min.time()) + offset
    ):
        raise ValueError(f"{_BETWEEN} (UTC)")
    return moment


# A calendar day, e.g. `2026-11-23`.
Day = Annotated[date, AfterValidator(_calendar_day)]
# A moment with its UTC offset, e.g. `2026-11-23T08:00:00+08:00`.
Moment = Annotated[AwareDatetime, AfterValidator(_calendar_moment)]


def time_range(
    from_: datetime | None, to: datetime | None, default: timedelta
) -> tuple[datetime, datetime]:
    """`to` defaults to now, `from` to `default` before it; `from` must come first."""
    to = to or datetime.now(UTC)
    from_ = from_ or to - default
    if from_ >= to:
        raise Problem(422, "Invalid request", "invalid query.from: must be before query.to")
    return from_, to
