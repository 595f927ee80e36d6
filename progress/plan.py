"""Tasks and floors against plan, at a moment: pure decisions over a site's tasks and the
dates their crews' presence suggests (progress/presence.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from statistics import median
from typing import Literal

from progress.presence import Suggested

TaskState = Literal["done", "under_way", "planned"]
# What a variance is measured from: dates a person entered, dates the crew's presence
# suggests, or the plan alone (nothing observed: a task not started is late once due).
Basis = Literal["actual", "suggested", "planned"]
DAY = timedelta(days=1)
# A task not done this many days behind its plan makes its floor late.
LATE_DAYS = 1.0
# The takt cycle runs from the floor's formwork to its pour.
TAKT_FROM, TAKT_TO = "formwork", "pour"
_NO_DATES = Suggested()


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """A schedule task as the progress read sees it (api/progress.sql `tasks`)."""

    id: str
    name: str
    type: str | None
    floors: list[int]
    planned_start: datetime
    planned_finish: datetime
    actual_start: datetime | None
    actual_finish: datetime | None
    status: Literal["planned", "in_progress", "done"]
    trade: str | None
    crew_planned: int | None


@dataclass(frozen=True, slots=True)
class Variance:
    days: float  # against plan, positive: late
    basis: Basis


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task against plan: its dates, those its crew's presence suggests, its variance."""

    id: str
    name: str
    type: str | None
    state: TaskState
    planned_start: datetime
    planned_finish: datetime
    actual_start: datetime | None
    actual_finish: datetime | None
    suggested_start: datetime | None
    suggested_finish: datetime | None
    variance_days: float
    variance_basis: Basis


@dataclass(frozen=True, slots=True)
class Takt:
    """Days from the floor's formwork start to its pour's finish."""

    planned_days: float | None
    actual_days: float | None


@dataclass(frozen=True, slots=True)
class FloorProgress:
    level: int
    name: str
    done: int
    under_way: int
    planned: int
    # planned to be done by now, and of those not done yet
    due: int
    due_not_done: int
    under_way_types: list[str]
    # the worst variance of its tasks not done, when a day or more late (else null)
    late_days: float | None
    takt: Takt


@dataclass(frozen=True, slots=True)
class SiteProgress:
    at: datetime
    summary: str
    tasks: int
    done: int
    under_way: int
    due_not_done: int
    floors_late: int
    takt_planned_days: float | None  # the median over floors with a takt
    takt_actual_days: float | None
    floors: list[FloorProgress] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FloorTasks:
    under_way: list[TaskLine]
    next_planned: TaskLine | None
    last_finished: TaskLine | None


def task_state(task: PlannedTask) -> TaskState:
    """As the people on site entered it (presence only suggests dates)."""
    if task.status == "done" or task.actual_finish is not None:
        return "done"
    if task.status == "in_progress" or task.actual_start is not None:
        return "under_way"
    return "planned"


def variance(task: PlannedTask, dates: Suggested, now: datetime) -> Variance:
    """Finished: its finish against the planned one. Started: where its planned duration
    from its start ends, or now if later. Not started: late by the time since it was due
    to start. Entered dates first, else the suggested ones."""
    duration = task.planned_finish - task.planned_start
    start = task.actual_start or dates.start
    finish = task.actual_finish or dates.finish
    state = task_state(task)
    if finish is not None:
        basis: Basis = "actual" if task.actual_finish else "suggested"
        return Variance(_days(finish - task.planned_finish), basis)
    if start is not None:
        basis = "actual" if task.actual_start else "suggested"
        expected = start + duration if state == "done" else max(start + duration, now)
        return Variance(_days(expected - task.planned_finish), basis)
    if state == "done":  # done, no dates entered or seen: nothing says it was late
        return Variance(0.0, "planned")
    return Variance(_days(max(now - task.planned_start, timedelta(0))), "planned")


def task_line(task: PlannedTask, dates: Suggested, now: datetime) -> TaskLine:
    v = variance(task, dates, now)
    return TaskLine(
        id=task.id,
        name=task.name,
        type=task.type,
        state=task_state(task),
        planned_start=task.planned_start,
        planned_finish=task.planned_finish,
        actual_start=task.actual_start,
        actual_finish=task.actual_finish,
        suggested_start=dates.start,
        suggested_finish=dates.finish,
        variance_days=v.days,
        variance_basis=v.basis,
    )


def takt(tasks: Sequence[PlannedTask], dates: Mapping[str, Suggested]) -> Takt:
    """Formwork start (the earliest) to pour finish (the latest), planned and actual; no
    actual until both are known (entered, else suggested)."""
    forms = [t for t in tasks if t.type == TAKT_FROM]
    pours = [t for t in tasks if t.type == TAKT_TO]
    if not forms or not pours:
        return Takt(None, None)
    planned = max(t.planned_finish for t in pours) - min(t.planned_start for t in forms)
    starts = [t.actual_start or dates.get(t.id, _NO_DATES).start for t in forms]
    finishes = [t.actual_finish or dates.get(t.id, _NO_DATES).finish for t in pours]
    actual = None
    if all(starts) and all(finishes):
        actual = _days(max(f for f in finishes if f) - min(s for s in starts if s))
    return Takt(_days(planned), actual)


def floor_progress(
    level: int,
    name: str,
    tasks: Sequence[PlannedTask],
    dates: Mapping[str, Suggested],
    now: datetime,
) -> FloorProgress:
    states = [task_state(t) for t in tasks]
    open_variances = [
        variance(t, dates.get(t.id, _NO_DATES), now).days
        for t, s in zip(tasks, states, strict=True)
        if s != "done"
    ]
    worst = max(open_variances, default=0.0)
    due = [s for t, s in zip(tasks, states, strict=True) if t.planned_finish <= now]
    under_way = [t for t, s in zip(tasks, states, strict=True) if s == "under_way"]
    return FloorProgress(
        level=level,
        name=name,
        done=states.count("done"),
        under_way=len(under_way),
        planned=states.count("planned"),
        due=len(due),
        due_not_done=sum(s != "done" for s in due),
        under_way_types=sorted({t.type or "other" for t in under_way}),
        late_days=worst if worst >= LATE_DAYS else None,
        takt=takt(tasks, dates),
    )


def site_progress(
    floors: Iterable[tuple[int, str]],
    tasks: Sequence[PlannedTask],
    dates: Mapping[str, Suggested],
    now: datetime,
) -> SiteProgress:
    """Each floor (in the order given) and the site as a whole. A task on several floors
    counts on each; the site's counts take each task once."""
    per_floor = [
        floor_progress(level, name, [t for t in tasks if level in t.floors], dates, now)
        for level, name in floors
    ]
    states = [task_state(t) for t in tasks]
    due_not_done = sum(
        s != "done" for t, s in zip(tasks, states, strict=True) if t.planned_finish <= now
    )
    planned = [f.takt.planned_days for f in per_floor if f.takt.planned_days is not None]
    actual = [f.takt.actual_days for f in per_floor if f.takt.actual_days is not None]
    progress = SiteProgress(
        at=now,
        summary="",
        tasks=len(tasks),
        done=states.count("done"),
        under_way=states.count("under_way"),
        due_not_done=due_not_done,
        floors_late=sum(f.late_days is not None for f in per_floor),
        takt_planned_days=round(median(planned), 1) if planned else None,
        takt_actual_days=round(median(actual), 1) if actual else None,
        floors=per_floor,
    )
    return replace(progress, summary=summary_line(progress))


def summary_line(progress: SiteProgress) -> str:
    """The site against plan in one line, for the wall board and the phone."""
    late = sorted(
        (f for f in progress.floors if f.late_days is not None),
        key=lambda f: -(f.late_days or 0.0),
    )
    if late:
        worst = ", ".join(f"{f.name} +{f.late_days:g} d" for f in late[:3])
        more = f" and {len(late) - 3} more" if len(late) > 3 else ""
        head = f"{len(late)} floor{'s' if len(late) > 1 else ''} late ({worst}{more})"
    else:
        head = "On plan"
    parts = [
        f"{progress.done} of {progress.tasks} tasks done",
        f"{progress.under_way} under way",
    ]
    if progress.due_not_done:
        parts.append(f"{progress.due_not_done} due not done")
    if progress.takt_planned_days is not None:
        plan = f"plan {progress.takt_planned_days:g} d"
        actual = progress.takt_actual_days
        parts.append(f"takt {actual:g} d ({plan})" if actual is not None else f"takt {plan}")
    return f"{head}: " + ", ".join(parts)


def floor_tasks(
    tasks: Sequence[PlannedTask], dates: Mapping[str, Suggested], now: datetime
) -> FloorTasks:
    """A floor's tasks under way now, the next planned (the earliest not started) and the
    last finished."""
    lines = [task_line(t, dates.get(t.id, _NO_DATES), now) for t in tasks]
    planned = sorted((t for t in lines if t.state == "planned"), key=lambda t: t.planned_start)
    finished = max(
        (t for t in lines if t.state == "done"),
        key=lambda t: t.actual_finish or t.suggested_finish or t.planned_finish,
        default=None,
    )
    return FloorTasks(
        under_way=sorted(
            (t for t in lines if t.state == "under_way"), key=lambda t: t.planned_start
        ),
        next_planned=planned[0] if planned else None,
        last_finished=finished,
    )


def _days(delta: timedelta) -> float:
    return round(delta / DAY, 1) + 0.0  # never -0.0
