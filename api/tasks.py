"""Schedule tasks: one with its crew from reality, and a site's, filtered and paged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from psycopg.rows import class_row
from pydantic import BaseModel

from api.deps import ConnDep, SettingsDep, Viewer
from api.floors import site_or_404
from api.params import Moment
from api.problems import Problem
from api.quality import QualityOut, task_quality
from concrete.model import TaskConcrete
from concrete.report import task_concrete
from core.db import Connection
from core.sql import load_queries
from progress.presence import CrewDay, crew_days, crew_window, suggested

router = APIRouter(prefix="/api/v1", tags=["tasks"])
_Q = load_queries("api", "tasks.sql")


class Task(BaseModel):
    site: str
    project: str  # '' for the site's default schedule
    id: str
    wbs: str | None
    name: str
    type: str | None
    grade: str | None  # a pour's concrete grade (C30); null: the site's default
    floors: list[int]
    zones: list[str]
    planned_start: datetime
    planned_finish: datetime
    actual_start: datetime | None
    actual_finish: datetime | None
    status: Literal["planned", "in_progress", "done"]
    crew_planned: int | None
    trade: str | None
    predecessors: list[str]
    source_file: str
    source_format: str
    imported_at: datetime
    removed_at: datetime | None
    # When the task counts as under way (null `active_to`: started, no finish entered yet).
    active_from: datetime
    active_to: datetime | None


class TaskDetail(Task):
    # From the tags: workers of the task's trade (all trades if it has none) on its floors.
    crew: list[CrewDay]
    # When its crew was first / last present; shown beside the dates a person entered,
    # never written over them. No finish is suggested while the task may still be running.
    suggested_start: datetime | None
    suggested_finish: datetime | None
    # Time in spec per spec of the task's type, excursions, alerts (see QualityOut).
    quality: QualityOut | None = None
    # A pour's concrete from its probes: maturity, strength, stripping and frost (see
    # TaskConcrete); null for other tasks and pours not begun.
    concrete: TaskConcrete | None = None
    # Why the task is at risk, if it is under way: open critical/major alerts of its own,
    # a concreting regime its type is subject to, its crew far below plan.
    risks: list[str] = []


class TaskPage(BaseModel):
    site: str
    tasks: list[Task]
    # The next page's URL when `limit` cut this one short.
    next: str | None


@router.get("/tasks/{task}")
def get_task(
    task: str, conn: ConnDep, settings: SettingsDep, _key: Viewer, site: str | None = None
) -> TaskDetail:
    """`site` may be left out when the task id exists on one site only."""
    with conn.cursor(row_factory=class_row(Task)) as cur:
        found = cur.execute(_Q["task"], {"task": task, "site": site}).fetchall()
    if not found:
        where = f" on site {site!r}" if site else ""
        raise Problem(404, "Not found", f"no task {task!r}{where}")
    if len(found) > 1:
        raise Problem(
            422, "Invalid request", f"invalid query.site: task {task!r} is on several sites"
        )
    now = datetime.now(UTC)
    detail = _with_crew(conn, found[0], now)
    detail.quality = task_quality(conn, settings, detail.site, detail.id)
    detail.concrete = task_concrete(conn, detail.site, detail.id, now)
    detail.risks = task_risks(detail, regimes_today(conn, detail.site), now)
    return detail


# Below this share of the planned crew on its latest day, a task under way is at risk.
CREW_AT_RISK = 0.5
_REGIME_TYPES = {"winter": {"pour", "curing", "formwork"}, "hot": {"pour", "curing"}}


def task_risks(task: TaskDetail, regimes: list[str], now: datetime) -> list[str]:
    """Pure: the reasons a task under way is at risk, in words a site manager acts on."""
    if (
        task.status == "done"
        or task.active_from > now
        or (task.active_to and task.active_to <= now)
    ):
        return []
    risks = [
        f"open {a['severity']} alert #{a['id']}: {a['title']}"
        for a in (task.quality.alerts if task.quality else [])
        if a["state"] != "resolved" and a["severity"] in ("critical", "major")
    ]
    for regime in regimes:
        if task.type in _REGIME_TYPES.get(regime, set()):
            risks.append(f"{regime} concreting regime: its measures apply to this {task.type}")
    if task.crew_planned and task.crew:
        latest = task.crew[-1]
        if latest.workers_present < CREW_AT_RISK * task.crew_planned:
            risks.append(
                f"crew {latest.workers_present} of {task.crew_planned} planned on {latest.date}"
            )
    return risks


def regimes_today(conn: Connection, site: str) -> list[str]:
    return [r for (r,) in conn.execute(_Q["regimes_today"], {"site": site})]


@router.get("/sites/{site}/tasks")
def site_tasks(
    site: str,
    request: Request,
    conn: ConnDep,
    _key: Viewer,
    floor: Annotated[int | None, Query(ge=-10, le=200)] = None,
    active_at: Moment | None = None,
    status: Literal["planned", "in_progress", "done"] | None = None,
    include_removed: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> TaskPage:
    site_or_404(conn, site)
    params = {
        "site": site,
        "floor": floor,
        "at": active_at,
        "status": status,
        "removed": include_removed,
        "limit": limit,
        "offset": offset,
    }
    with conn.cursor(row_factory=class_row(Task)) as cur:
        tasks = cur.execute(_Q["tasks"], params).fetchall()
    next_url = None
    if len(tasks) == limit:
        next_url = str(request.url.include_query_params(offset=offset + limit))
    return TaskPage(site=site, tasks=tasks, next=next_url)


def _with_crew(conn: Connection, task: Task, now: datetime) -> TaskDetail:
    window = crew_window(task, now)
    days = crew_days(conn, task.site, task, window)
    first, last = (days[0].first_seen, days[-1].last_seen) if days else (None, None)
    dates = suggested(first, last, window, now)
    return TaskDetail(
        **task.model_dump(),
        crew=days,
        suggested_start=dates.start,
        suggested_finish=dates.finish,
    )
