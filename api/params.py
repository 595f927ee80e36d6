"""Query parameters several routes share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.problems import Problem


def time_range(
    from_: datetime | None, to: datetime | None, default: timedelta
) -> tuple[datetime, datetime]:
    """`to` defaults to now, `from` to `default` before it; `from` must come first."""
    to = to or datetime.now(UTC)
    from_ = from_ or to - default
    if from_ >= to:
        raise Problem(422, "Invalid request", "invalid query.from: must be before query.to")
    return from_, to
