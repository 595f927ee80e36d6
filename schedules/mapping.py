"""From a file's tasks to the site's: which floor(s), zone(s) and type each task has.

The mapping is data (a YAML file; the default words in floor_words and type_words): a custom
field / activity code / user field or CSV column first, then the WBS or outline parents
(nearest first), then the task's name. What none of them gives is reported as unmapped,
never guessed; a floor the site does not have is reported and left out (refused with
`strict`). Task ids are the file's, unique per site: `id_prefix` (`{project}` in it is
replaced by the task's project key) keeps apart projects whose ids clash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ScheduleInvalid
from schedules.floor_words import DEFAULT_FLOOR_PATTERNS, floors_in
from schedules.model import (
    TASK_TYPES,
    Schedule,
    SourceFile,
    SourceFormat,
    SourceTask,
    Task,
    derive_status,
    normalise_grade,
    site_time,
)
from schedules.type_words import DEFAULT_TYPE_PATTERNS

_ID_PREFIX = re.compile(r"[\w.:{}-]{0,40}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FloorRule(_Strict):
    field: str | None = "Floor"
    from_parents: bool = True
    from_name: bool = True
    patterns: Annotated[list[str], Field(min_length=1)] = DEFAULT_FLOOR_PATTERNS

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            compiled = _compile(pattern)
            if not {"level", "list"} & set(compiled.groupindex):
                msg = f"pattern {pattern!r} has no (?P<level>...) or (?P<list>...) group"
                raise ValueError(msg)
        return value


class TypeRule(_Strict):
    field: str | None = "Type"
    from_name: bool = True
    patterns: dict[str, list[str]] = DEFAULT_TYPE_PATTERNS

    @field_validator("patterns")
    @classmethod
    def _known(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, patterns in value.items():
            if name not in TASK_TYPES:
                msg = f"{name!r} is not a task type (one of {', '.join(TASK_TYPES)})"
                raise ValueError(msg)
            for pattern in patterns:
                _compile(pattern)
        return value


class Mapping(_Strict):
    floor: FloorRule = FloorRule()
    zone_field: str | None = "Zone"
    type: TypeRule = TypeRule()
    crew_field: str | None = "Crew"
    trade_field: str | None = "Trade"
    grade_field: str | None = "Grade"


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Mapping.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScheduleInvalid(f"{path}: cannot read the mapping file: {exc}") from None
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
        raise ScheduleInvalid("invalid mapping file\n" + "\n".join(lines)) from None


@dataclass(frozen=True)
class SiteFrame:
    """What mapping needs to know of the site."""

    id: str
    timezone: ZoneInfo
    floors: dict[int, str]  # level -> name
    zones: frozenset[str]


def map_schedule(
    parsed: SourceFile,
    mapping: Mapping,
    site: SiteFrame,
    source_file: str,
    source_format: SourceFormat,
    *,
    strict: bool = False,
    id_prefix: str = "",
) -> Schedule:
    if not _ID_PREFIX.fullmatch(id_prefix):
        raise ScheduleInvalid(
            f"id prefix {id_prefix!r}: up to 40 letters, digits, . : - _ and {{project}}"
        )
    projects = dict(parsed.projects)
    for src in parsed.tasks:
        projects.setdefault(src.project, "")
    mapper = _Mapper(mapping, site, strict, id_prefix)
    schedule = Schedule(source_file, source_format, [], projects, parsed.encoding)
    for src in parsed.tasks:
        mapped = mapper.task(src)
        if mapped is not None:
            task, missing = mapped
            schedule.tasks.append(task)
            if missing:
                schedule.unmapped[task.id] = missing
            if unknown := mapper.unknown.pop(src.where, None):
                schedule.unknown_floors[task.id] = unknown
    mapper.check_ids(parsed.tasks)
    if mapper.problems:
        raise ScheduleInvalid(
            f"{source_file} is invalid ({len(mapper.problems)} problem(s)); nothing was imported\n"
            + "\n".join(mapper.problems)
        )
    return schedule


class _Mapper:
    """One file's tasks onto one site, gathering every problem rather than the first."""

    def __init__(self, mapping: Mapping, site: SiteFrame, strict: bool, id_prefix: str) -> None:
        self.mapping = mapping
        self.site = site
        self.strict = strict
        self.id_prefix = id_prefix
        self.floor_res = [_compile(p) for p in mapping.floor.patterns]
        self.type_res = [(t, [_compile(p) for p in ps]) for t, ps in mapping.type.patterns.items()]
        self.problems: list[str] = []
        self.unknown: dict[str, list[int]] = {}  # where -> levels the site lacks

    def site_id(self, src: SourceTask, source_id: str | None = None) -> str:
        return self.id_prefix.replace("{project}", src.project) + (source_id or src.id)

    def task(self, src: SourceTask) -> tuple[Task, list[str]] | None:
        """The task, and what could not be mapped (floor, type); None if it is invalid."""
        mapping, site, problems = self.mapping, self.site, self.problems
        missing: list[str] = []
        floors = self._floors(src)
        if floors is None:
            floors = []
            missing.append("floor")
        zones = self._zones(src)
        kind = _find_type(src, mapping.type, self.type_res, problems)
        if kind is None:
            missing.append("type")
        crew = src.crew_planned
        if crew is None and (text := _field(src, mapping.crew_field)):
            crew = _int(text, src, "crew", problems)
        if crew is None:
            crew = src.crew_assigned
        grade = src.grade
        if grade is None and (text := _field(src, mapping.grade_field)):
            try:
                grade = normalise_grade(text)
            except ValueError as exc:
                problems.append(f"{src.where}: {mapping.grade_field}: {exc}")
        try:
            task = Task(
                id=self.site_id(src),
                wbs=src.wbs or None,
                name=src.name,
                type=kind,  # type: ignore[arg-type]  # checked against TASK_TYPES
                floors=tuple(sorted(set(floors))),
                zones=tuple(sorted(set(zones))),
                planned_start=site_time(src.planned_start, site.timezone),
                planned_finish=site_time(src.planned_finish, site.timezone),
                actual_start=_utc(src.actual_start, site.timezone),
                actual_finish=_utc(src.actual_finish, site.timezone),
                status=derive_status(src.status, src.actual_start, src.actual_finish),
                crew_planned=crew,
                trade=src.trade or _field(src, mapping.trade_field) or None,
                predecessors=tuple(self.site_id(src, p) for p in src.predecessors),
                grade=grade,
                project=src.project,
            )
        except ValidationError as exc:
            problems += [f"{src.where}: {e['msg']}" for e in exc.errors(include_url=False)]
            return None
        return task, missing

    def check_ids(self, tasks: list[SourceTask]) -> None:
        """Ids unique across the file's projects; predecessors among its tasks."""
        first: dict[str, SourceTask] = {}
        for src in tasks:
            task_id = self.site_id(src)
            other = first.setdefault(task_id, src)
            if other is not src:
                self.problems.append(
                    f"{src.where}: task id {task_id!r} of project {src.project!r} is also in "
                    f"project {other.project!r} ({other.where}): import with "
                    "--id-prefix '{project}-' to keep both"
                )
        self.problems += [
            f"{src.where}: predecessor {pred!r} is not a task of this file"
            for src in tasks
            for pred in src.predecessors
            if self.site_id(src, pred) not in first
        ]

    def _floors(self, src: SourceTask) -> list[int] | None:
        floors = src.floors
        if floors is None:
            floors = _find_floor(src, self.mapping.floor, self.floor_res, self.site, self.problems)
        if floors is None:
            return None
        unknown = [level for level in floors if level not in self.site.floors]
        if unknown and self.strict:
            self.problems += [
                f"{src.where}: task {src.id} {src.name!r}: floor {level} is not a floor of "
                f"site {self.site.id}"
                for level in unknown
            ]
        elif unknown:
            self.unknown[src.where] = unknown
        return [level for level in floors if level in self.site.floors]

    def _zones(self, src: SourceTask) -> list[str]:
        zones = src.zones
        if zones is None:
            zones = _split(_field(src, self.mapping.zone_field) or "")
        for zone in zones:
            if zone not in self.site.zones:
                self.problems.append(
                    f"{src.where}: zone {zone!r} is not a zone of site {self.site.id}"
                )
        return list(zones)


def _find_floor(
    src: SourceTask,
    rule: FloorRule,
    patterns: list[re.Pattern[str]],
    site: SiteFrame,
    problems: list[str],
) -> list[int] | None:
    value = _field(src, rule.field)
    if value:
        parts = [floors_in(part, patterns, site.floors) for part in _split(value)]
        if all(levels is not None for levels in parts):
            return [level for levels in parts for level in levels or []]
        whole = floors_in(value, patterns, site.floors)  # "floors 1, 2 & 3"
        if whole is not None:
            return whole
        problems.append(f"{src.where}: {rule.field} {value!r} names no floor")
        return []
    candidates = (src.parents if rule.from_parents else []) + ([src.name] if rule.from_name else [])
    for text in candidates:
        levels = floors_in(text, patterns, site.floors)
        if levels is not None:
            return levels
    return None


def _find_type(
    src: SourceTask,
    rule: TypeRule,
    patterns: list[tuple[str, list[re.Pattern[str]]]],
    problems: list[str],
) -> str | None:
    explicit = src.type or _field(src, rule.field)
    texts = [explicit] if explicit else ([src.name] if rule.from_name else [])
    if explicit and explicit.strip().lower() in TASK_TYPES:
        return explicit.strip().lower()
    for text in texts:
        for kind, regexes in patterns:
            if any(r.search(text) for r in regexes):
                return kind
    if explicit:
        problems.append(
            f"{src.where}: type {explicit!r} is not a task type "
            f"(one of {', '.join(TASK_TYPES)}, or a word the mapping knows)"
        )
    return None


def _field(src: SourceTask, name: str | None) -> str | None:
    if not name:
        return None
    value = src.fields.get(name)
    if value is None:  # names compare without case: "floor" finds "Floor"
        value = next((v for k, v in src.fields.items() if k.casefold() == name.casefold()), None)
    return value.strip() if value and value.strip() else None


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


def _int(text: str, src: SourceTask, what: str, problems: list[str]) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        problems.append(f"{src.where}: {what} {text!r} is not a number")
        return None


def _utc(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return site_time(value, zone) if value else None


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        msg = f"pattern {pattern!r} is not a regular expression: {exc}"
        raise ValueError(msg) from None
