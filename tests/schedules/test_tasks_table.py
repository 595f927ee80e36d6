"""The tasks table's `active` span, which every "task under way on floor F at T" reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import Connection

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("actual_start", "actual_finish", "status", "active"),
    [
        (None, None, "planned", (T0, T0 + 10 * H)),
        (T0 + 2 * H, None, "in_progress", (T0 + 2 * H, None)),  # runs until a finish is entered
        (T0 + 2 * H, T0 + 20 * H, "done", (T0 + 2 * H, T0 + 20 * H)),
        (T0 + 2 * H, None, "done", (T0 + 2 * H, T0 + 10 * H)),  # no finish: as planned
        (None, T0 + 5 * H, "done", (T0, T0 + 5 * H)),
    ],
    ids=["planned", "started", "finished", "done without finish", "finish only"],
)
def test_active_runs_from_the_actual_or_planned_start(
    conn: Connection,
    actual_start: datetime | None,
    actual_finish: datetime | None,
    status: str,
    active: tuple[datetime, datetime | None],
) -> None:
    conn.execute("INSERT INTO sites VALUES ('s', 'S', 'UTC')")
    row = conn.execute(
        "INSERT INTO tasks (site_id, id, name, floors, planned_start, planned_finish,"
        " actual_start, actual_finish, status, source_file, source_format)"
        " VALUES ('s', 't', 'T', '{2}', %s, %s, %s, %s, %s, 'x.csv', 'csv')"
        " RETURNING lower(active), upper(active)",
        (T0, T0 + 10 * H, actual_start, actual_finish, status),
    ).fetchone()
    assert row == active
