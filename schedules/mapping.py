"""From a file's tasks to the site's: which floor(s), zone(s) and type each task has.

The mapping is data (a YAML file, defaults below): a custom field / activity code / user
field or CSV column first, then the WBS or outline parents (nearest first), then the task's
name. What none of them gives is reported as unmapped, never guessed."""

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
from schedules.model import (
    TASK_TYPES,
    Schedule,
    SourceFormat,
    SourceTask,
    Task,
    derive_status,
    normalise_grade,
    site_time,
)

# Each pattern finds one floor in a text; group `level` holds the number (Arabic or Chinese
# numerals), a matched group `basement` makes it negative (B2 -> -2).
DEFAULT_FLOOR_PATTERNS = [
    r"(?<![A-Za-z0-9])(?P<basement>B)(?P<level>\d{1,2})F?(?![A-Za-z0-9])",
    r"(?P<basement>地下)(?P<level>[0-9一二三四五六七八九十]+)层",
    r"(?<![A-Za-z0-9])(?P<level>\d{1,3})\s*F(?![A-Za-z0-9])",
    r"\b(?:level|floor|storey|lvl)\s*(?P<level>\d{1,3})\b",
    r"(?<![A-Za-z0-9])L(?P<level>\d{1,3})(?![A-Za-z0-9])",
    r"(?P<level>[0-9一二三四五六七八九十百]+)层",
]
# Tried in this order, the first match wins: curing before pour ("混凝土养护", "concrete
# curing"), crane work before lifts, finishing last.
DEFAULT_TYPE_PATTERNS: dict[str, list[str]] = {
    "curing": [r"养护", r"\bcur(e|ing)\b"],
    "climbing": [r"爬升", r"顶升", r"\bclimb"],
    "erection": [r"安装塔吊", r"塔吊安装", r"塔机安装", r"\berect"],
    "dismantling": [r"拆除塔吊", r"塔吊拆除", r"塔机拆除", r"\bdismantl"],
    "pour": [r"浇筑", r"浇捣", r"\bpour", r"\bconcret(e|ing)\b"],
    "lift": [r"吊装", r"\blift", r"\bhoist"],
    "formwork": [r"模板", r"支模", r"\bformwork", r"\bshutter"],
    "rebar": [r"钢筋", r"\brebar", r"\breinforc"],
    "noisy": [
        r"切割",
        r"钻孔",
        r"破碎",
        r"剔凿",
        r"\bcore drill",
        r"\bdrill",
        r"\bbreak",
        r"\bsaw ?cut",
        r"\bnois",
    ],
    "masonry": [r"砌筑", r"砌体", r"\bmasonry", r"\bblock ?work", r"\bbrick"],
    "finishing": [
        r"抹灰",
        r"涂料",
        r"吊顶",
        r"地面",
        r"装修",
        r"\bpaint",
        r"\bplaster",
        r"\bceil",
        r"\bgyp",
        r"\bdrywall",
        r"\bstuds?\b",
        r"\btil(e|ing)",
        r"^floor(ing)?$",
        r"\bfinish",
    ],
}


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
            if "level" not in compiled.groupindex:
                msg = f"pattern {pattern!r} has no (?P<level>...) group"
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
    tasks: list[SourceTask],
    mapping: Mapping,
    site: SiteFrame,
    source_file: str,
    source_format: SourceFormat,
) -> Schedule:
    mapper = _Mapper(mapping, site)
    schedule = Schedule(source_file, source_format, [])
    for src in tasks:
        mapped = mapper.task(src)
        if mapped is not None:
            task, missing = mapped
            schedule.tasks.append(task)
            if missing:
                schedule.unmapped[task.id] = missing
    known = {t.id for t in tasks}
    mapper.problems += [
        f"{src.where}: predecessor {pred!r} is not a task of this file"
        for src in tasks
        for pred in src.predecessors
        if pred not in known
    ]
    if mapper.problems:
        raise ScheduleInvalid(
            f"{source_file} is invalid ({len(mapper.problems)} problem(s)); nothing was imported\n"
            + "\n".join(mapper.problems)
        )
    return schedule


class _Mapper:
    """One file's tasks onto one site, gathering every problem rather than the first."""

    def __init__(self, mapping: Mapping, site: SiteFrame) -> None:
        self.mapping = mapping
        self.site = site
        self.floor_res = [_compile(p) for p in mapping.floor.patterns]
        self.type_res = [(t, [_compile(p) for p in ps]) for t, ps in mapping.type.patterns.items()]
        self.by_name = {name.casefold(): level for level, name in site.floors.items()}
        self.problems: list[str] = []

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
        grade = src.grade
        if grade is None and (text := _field(src, mapping.grade_field)):
            try:
                grade = normalise_grade(text)
            except ValueError as exc:
                problems.append(f"{src.where}: {mapping.grade_field}: {exc}")
        try:
            task = Task(
                id=src.id,
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
                predecessors=tuple(src.predecessors),
                grade=grade,
                project=src.project,
            )
        except ValidationError as exc:
            problems += [f"{src.where}: {e['msg']}" for e in exc.errors(include_url=False)]
            return None
        return task, missing

    def _floors(self, src: SourceTask) -> list[int] | None:
        floors = src.floors
        if floors is None:
            floors = _find_floor(
                src, self.mapping.floor, self.floor_res, self.by_name, self.problems
            )
        for level in floors or []:
            if level not in self.site.floors:
                self.problems.append(
                    f"{src.where}: floor {level} is not a floor of site {self.site.id}"
                )
        return floors

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
    by_name: dict[str, int],
    problems: list[str],
) -> list[int] | None:
    value = _field(src, rule.field)
    if value:
        levels = [_level(part, patterns, by_name) for part in _split(value)]
        if all(level is not None for level in levels):
            return [level for level in levels if level is not None]
        problems.append(f"{src.where}: {rule.field} {value!r} names no floor")
        return []
    candidates = (src.parents if rule.from_parents else []) + ([src.name] if rule.from_name else [])
    for text in candidates:
        level = _level(text, patterns, by_name)
        if level is not None:
            return [level]
    return None


def _level(text: str, patterns: list[re.Pattern[str]], by_name: dict[str, int]) -> int | None:
    text = text.strip()
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            number = _number(match["level"])
            if number is not None:
                return -number if match.groupdict().get("basement") else number
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


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _number(text: str) -> int | None:
    """Arabic digits, or Chinese numerals up to 199 (十二 -> 12, 二十 -> 20, 一百零五 -> 105)."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        elif char == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            return None
    return total + digit or None


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
