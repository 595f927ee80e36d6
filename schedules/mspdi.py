"""Microsoft Project XML (MSPDI, "Save as XML"; namespace http://schemas.microsoft.com/project).

Read from Project/Tasks/Task: UID (the task's id), Name, WBS, OutlineLevel, Summary,
Start, Finish, ActualStart, ActualFinish, PercentComplete, PredecessorLink/PredecessorUID
and ExtendedAttribute (custom fields, named by their Alias, else their FieldName, from
Project/ExtendedAttributes). Summary tasks are not imported: their names are the outline
parents the mapping reads. Times carry no offset in MSPDI: they are on the site's clock.

The file is one project: Project/GUID (Project 2010 and later write one) is its key, its
Title (else Name) its name; a file without a GUID is the site's default schedule. The crew
a task's resource assignments plan: the Units of its Assignments to work resources
(Resource/Type 1; 1.00 is one person full time), summed and rounded."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime

from core.errors import ScheduleInvalid
from schedules.model import SourceFile, SourceTask, check_unique

NS = "http://schemas.microsoft.com/project"
_N = f"{{{NS}}}"


def parse_mspdi(
    data: bytes, source: str, progress: Callable[[int], None] | None = None
) -> SourceFile:
    root = _parse(data, source)
    if root.tag != f"{_N}Project":
        raise ScheduleInvalid(
            f"{source}: root element is {root.tag}, not Project in namespace {NS} (MSPDI)"
        )
    project = (_text(root, "GUID") or "").strip("{}").upper()
    names = _field_names(root)
    crews = _crews(root, source)
    tasks: list[SourceTask] = []
    outline: list[tuple[int, str]] = []  # (level, name) of the open summary tasks
    for index, element in enumerate(root.iterfind(f"{_N}Tasks/{_N}Task"), start=1):
        where = f"{source}: Project/Tasks/Task[{index}]"
        if _text(element, "IsNull") == "1":
            continue
        uid = _text(element, "UID")
        if not uid:
            raise ScheduleInvalid(f"{where}/UID: missing")
        level = _int(element, "OutlineLevel", where) or 0
        name = _text(element, "Name") or ""
        while outline and outline[-1][0] >= level:
            outline.pop()
        if uid == "0" or _text(element, "Summary") == "1":
            outline.append((level, name))
            continue
        if not name:
            raise ScheduleInvalid(f"{where}/Name: missing")
        percent = _int(element, "PercentComplete", where)
        tasks.append(
            SourceTask(
                id=uid,
                name=name,
                where=where,
                wbs=_text(element, "WBS"),
                parents=[n for _, n in reversed(outline) if n],
                planned_start=_required_time(element, "Start", where),
                planned_finish=_required_time(element, "Finish", where),
                actual_start=_time(element, "ActualStart", where),
                actual_finish=_time(element, "ActualFinish", where),
                status="done" if percent == 100 else None,
                fields=_fields(element, names, where),
                crew_assigned=crews.get(uid),
                project=project,
                predecessors=[
                    p
                    for link in element.iterfind(f"{_N}PredecessorLink")
                    if (p := _text(link, "PredecessorUID"))
                ],
            )
        )
        if progress and len(tasks) % 1000 == 0:
            progress(len(tasks))
    check_unique(tasks, source)
    name = _text(root, "Title") or _text(root, "Name") or ""
    return SourceFile(tasks, {project: name})


def _crews(root: ET.Element, source: str) -> dict[str, int]:
    """Task UID -> people its assignments to work resources plan (Units summed)."""
    work = {
        uid
        for resource in root.iterfind(f"{_N}Resources/{_N}Resource")
        if (uid := _text(resource, "UID")) and (_text(resource, "Type") or "1") == "1"
    }
    units: dict[str, float] = {}
    for i, assignment in enumerate(root.iterfind(f"{_N}Assignments/{_N}Assignment"), start=1):
        task, resource = _text(assignment, "TaskUID"), _text(assignment, "ResourceUID")
        if not task or resource not in work:
            continue  # a material or cost resource, or none (ResourceUID -65535)
        text = _text(assignment, "Units") or "1"
        try:
            units[task] = units.get(task, 0.0) + float(text)
        except ValueError:
            where = f"{source}: Project/Assignments/Assignment[{i}]/Units"
            raise ScheduleInvalid(f"{where}: {text!r} is not a number") from None
    return {task: round(total) for task, total in units.items() if round(total) > 0}


def _parse(data: bytes, source: str) -> ET.Element:
    # Schedules come from the site's own planners. ElementTree resolves no external
    # entities, and expat (>= 2.4.1, bundled with CPython) refuses entity amplification.
    try:
        return ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        line, column = exc.position
        raise ScheduleInvalid(f"{source}:{line}:{column}: not well-formed XML ({exc})") from None


def _field_names(root: ET.Element) -> dict[str, str]:
    names = {}
    for attr in root.iterfind(f"{_N}ExtendedAttributes/{_N}ExtendedAttribute"):
        field_id = _text(attr, "FieldID")
        name = _text(attr, "Alias") or _text(attr, "FieldName")
        if field_id and name:
            names[field_id] = name
    return names


def _fields(element: ET.Element, names: dict[str, str], where: str) -> dict[str, str]:
    fields = {}
    for i, attr in enumerate(element.iterfind(f"{_N}ExtendedAttribute"), start=1):
        field_id = _text(attr, "FieldID")
        if field_id not in names:
            raise ScheduleInvalid(
                f"{where}/ExtendedAttribute[{i}]/FieldID: {field_id!r} is not defined in "
                "Project/ExtendedAttributes"
            )
        fields[names[field_id]] = _text(attr, "Value") or ""
    return fields


def _text(element: ET.Element, child: str) -> str | None:
    found = element.find(f"{_N}{child}")
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _int(element: ET.Element, child: str, where: str) -> int | None:
    text = _text(element, child)
    try:
        return int(text) if text is not None else None
    except ValueError:
        raise ScheduleInvalid(f"{where}/{child}: {text!r} is not a whole number") from None


def _required_time(element: ET.Element, child: str, where: str) -> datetime:
    value = _time(element, child, where)
    if value is None:
        raise ScheduleInvalid(f"{where}/{child}: missing")
    return value


def _time(element: ET.Element, child: str, where: str) -> datetime | None:
    text = _text(element, child)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ScheduleInvalid(
            f"{where}/{child}: {text!r} is not a time (2026-11-23T08:00:00)"
        ) from None
