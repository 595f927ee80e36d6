"""Tasks at risk: reasons from alerts, regimes and crew, only while the task is under way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from api.tasks import TaskDetail, task_risks
from progress.presence import CrewDay

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def pour(**changes: object) -> TaskDetail:
    base: dict[str, object] = {
        "site": "s",
        "project": "",
        "id": "P-12",
        "wbs": None,
        "name": "12F pour",
        "type": "pour",
        "grade": None,
        "floors": [12],
        "zones": [],
        "planned_start": NOW - timedelta(hours=2),
        "planned_finish": NOW + timedelta(hours=4),
        "actual_start": None,
        "actual_finish": None,
        "status": "in_progress",
        "crew_planned": 12,
        "trade": "concrete",
        "predecessors": [],
        "source_file": "s.csv",
        "source_format": "csv",
        "imported_at": NOW,
        "removed_at": None,
        "active_from": NOW - timedelta(hours=2),
        "active_to": NOW + timedelta(hours=4),
        "crew": [
            CrewDay(
                date=date(2026, 11, 23),
                workers_present=4,
                crew_planned=12,
                first_seen=NOW,
                last_seen=NOW,
            )
        ],
        "suggested_start": None,
        "suggested_finish": None,
    }
    return TaskDetail.model_validate({**base, **changes})


def test_a_pour_in_winter_with_a_thin_crew_is_at_risk() -> None:
    assert task_risks(pour(), ["winter"], NOW) == [
        "winter concreting regime: its measures apply to this pour",
        "crew 4 of 12 planned on 2026-11-23",
    ]


def test_a_finished_or_future_task_is_not_at_risk() -> None:
    assert task_risks(pour(status="done"), ["winter"], NOW) == []
    later = NOW + timedelta(days=1)
    assert (
        task_risks(pour(active_from=later, active_to=later + timedelta(hours=4)), ["winter"], NOW)
        == []
    )


def test_a_full_crew_outside_any_regime_is_fine() -> None:
    full = CrewDay(
        date=date(2026, 11, 23), workers_present=11, crew_planned=12, first_seen=NOW, last_seen=NOW
    )
    assert task_risks(pour(crew=[full]), ["hot"], NOW) == [
        "hot concreting regime: its measures apply to this pour"
    ]
    assert task_risks(pour(crew=[full], type="masonry"), ["winter"], NOW) == []
