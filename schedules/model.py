"""A site's schedule: tasks as the parsers read them (`SourceTask`, site-local and
unmapped) and as SitePulse keeps them (`Task`, mapped to floors, zones and a type, UTC)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from core.errors import ScheduleInvalid

# What a task does, as far as quality and safety rules care:
#   formwork, rebar, pour (placing concrete), curing, lift (crane lifts of note),
#   erection / climbing / dismantling (of a tower crane), noisy (cutting, drilling,
#   breaking), masonry, finishing (partitions, plaster, paint, ceilings, floors), other.
TaskType = Literal[
    "formwork",
    "rebar",
    "pour",
    "curing",
    "lift",
    "erection",
    "climbing",
    "dismantling",
    "noisy",
    "masonry",
    "finishing",
    "other",
]
TASK_TYPES: tuple[str, ...] = get_args(TaskType)
TaskStatus = Literal["planned", "in_progress", "done"]
SourceFormat = Literal["csv", "mspdi", "xer"]
# A concrete strength class as GB 50010 names it (C15 ... C80); the tasks table checks it too.
GRADE_PATTERN = r"^C[0-9]{2,3}$"


@dataclass
class SourceTask:
    """One task as a schedule file states it: times are naive site-local (or aware when
    the file gave an offset); `where` names its line or element for messages."""

    id: str
    name: str
    where: str
    planned_start: datetime
    planned_finish: datetime
    wbs: str | None = None
    # WBS / outline ancestors' names, the nearest first ("12F", "Structure", "Tower A")
    parents: list[str] = field(default_factory=list)
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    status: TaskStatus | None = None
    # custom fields (MSPDI), activity codes and user fields (XER), extra columns (CSV)
    fields: dict[str, str] = field(default_factory=dict)
    predecessors: list[str] = field(default_factory=list)
    # explicit values (CSV columns); when None, the mapping decides
    type: str | None = None
    floors: list[int] | None = None
    zones: list[str] | None = None
    crew_planned: int | None = None
    trade: str | None = None
    grade: str | None = None
    # the project of the file the task belongs to ('' : the site's default schedule)
    project: str = ""
    # people its resource assignments plan; the crew when no Crew column or field says
    crew_assigned: int | None = None


@dataclass
class SourceFile:
    """What a parser read: the tasks, the file's projects (key -> name, in file order; ''
    is the site's default schedule) and, when the format does not fix it, the code page."""

    tasks: list[SourceTask]
    projects: dict[str, str]
    encoding: str | None = None


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=100)]
    wbs: str | None
    name: str
    type: TaskType | None
    floors: tuple[int, ...]
    zones: tuple[str, ...]
    planned_start: AwareDatetime
    planned_finish: AwareDatetime
    actual_start: AwareDatetime | None
    actual_finish: AwareDatetime | None
    status: TaskStatus
    crew_planned: Annotated[int, Field(ge=0)] | None
    trade: str | None
    predecessors: tuple[str, ...]
    # concrete grade, C30; None: the site's default
    grade: Annotated[str, Field(pattern=GRADE_PATTERN)] | None = None
    project: Annotated[str, Field(max_length=100)] = ""

    @model_validator(mode="after")
    def _ordered(self) -> Task:
        if self.planned_finish < self.planned_start:
            msg = "planned_finish is before planned_start"
            raise ValueError(msg)
        if self.actual_start and self.actual_finish and self.actual_finish < self.actual_start:
            msg = "actual_finish is before actual_start"
            raise ValueError(msg)
        return self


@dataclass
class Schedule:
    """What one file yields for one site, and what could not be mapped."""

    source_file: str
    source_format: SourceFormat
    tasks: list[Task]
    # the file's projects, key -> name: each replaces its own tasks at the site
    projects: dict[str, str] = field(default_factory=lambda: {"": ""})
    encoding: str | None = None
    # task id -> what the mapping could not find ("floor", "type")
    unmapped: dict[str, list[str]] = field(default_factory=dict)
    # task id -> the levels it names that the site does not have (imported without them)
    unknown_floors: dict[str, list[int]] = field(default_factory=dict)


def normalise_grade(text: str) -> str:
    """`c30`, ` C 30 ` -> `C30`; ValueError naming the value if it is not a grade."""
    grade = re.sub(r"\s+", "", text).upper()
    if not re.match(GRADE_PATTERN, grade):
        msg = f"grade {text!r} is not a concrete grade (C followed by its strength: C30)"
        raise ValueError(msg)
    return grade


def site_time(value: datetime, zone: ZoneInfo) -> datetime:
    """A file's time in UTC: naive times are on the site's clock."""
    aware = value if value.tzinfo else value.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def derive_status(
    status: TaskStatus | None, actual_start: datetime | None, actual_finish: datetime | None
) -> TaskStatus:
    if status:
        return status
    if actual_finish:
        return "done"
    return "in_progress" if actual_start else "planned"


def check_unique(tasks: list[SourceTask], source: str) -> None:
    """A task id once per project of the file (two projects may share ids)."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for task in tasks:
        key = (task.project, task.id)
        if key in seen:
            problems.append(f"{task.where}: duplicate task id {task.id!r} (first at {seen[key]})")
        seen.setdefault(key, task.where)
    if problems:
        raise ScheduleInvalid(f"{source} is invalid; nothing was imported\n" + "\n".join(problems))
