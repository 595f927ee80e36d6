"""A task's quality record: JSON inside the task, and a printable page a technical lead
hands over at acceptance."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from api.deps import ConnDep, SettingsDep
from api.keys import ApiKey
from api.problems import Problem
from api.stream import stream_key
from core.db import Connection
from core.settings import Settings
from core.sql import load_queries
from rules.packs import effective_rules, load_rules, pack_files
from rules.quality import QualityRecord, quality_record
from rules.store import load_context, overrides, site_timezones

router = APIRouter(prefix="/api/v1", tags=["tasks"])
_TEMPLATE = (Path(__file__).parent / "quality.html").read_text(encoding="utf-8")
_Q = load_queries("api", "quality.sql")


class SpecOut(BaseModel):
    rule: str
    name: str
    source: str
    readings: int
    judged_hours: float
    in_spec_share: float | None


class ExcursionOut(BaseModel):
    rule: str
    device: str | None
    metric: str | None
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    worst_value: float | None
    alert: int | None


class QualityOut(BaseModel):
    """Time in spec per spec that applies to the task's type, from its readings while it
    was under way (each reading counts until its sensor's next, at most 10 minutes);
    excursions (when a spec's condition began to hold until its clear condition began or
    the task ended); the alerts linked to the task."""

    judged_from: datetime
    judged_to: datetime
    specs: list[SpecOut]
    excursions: list[ExcursionOut]
    alerts: list[dict[str, Any]]


def task_quality(conn: Connection, settings: Settings, site: str, task: str) -> QualityOut | None:
    zones = site_timezones(conn, site)
    if site not in zones:
        return None
    rules = effective_rules(load_rules(pack_files(settings.rules_dir)), overrides(conn, site))
    record = quality_record(
        conn, load_context(conn, site, zones[site]), task, rules, datetime.now(UTC)
    )
    return None if record is None else _out(record)


@router.get("/sites/{site}/tasks/{task}/quality.html", response_class=HTMLResponse)
def quality_page(
    site: str,
    task: str,
    conn: ConnDep,
    settings: SettingsDep,
    _key: Annotated[ApiKey, Depends(stream_key)],
) -> HTMLResponse:
    """Printable (also `?key=` for a browser, like the board; use a viewer key)."""
    quality = task_quality(conn, settings, site, task)
    if quality is None:
        raise Problem(404, "Not found", f"no task {task!r} on site {site!r}")
    title = conn.execute(_Q["task_title"], {"site": site, "task": task}).fetchone()
    name, kind = title if title else (task, None)
    return HTMLResponse(render_page(site, task, name, kind, quality))


def render_page(site: str, task: str, name: str, kind: str | None, q: QualityOut) -> str:
    minute = "%Y-%m-%d %H:%M"
    specs = [
        _row(s.name, s.source, s.readings, f"{s.judged_hours:.1f} h", _share(s.in_spec_share))
        for s in q.specs
    ]
    excursions = [
        _row(
            x.rule,
            x.device,
            x.started_at.strftime(minute),
            x.ended_at.strftime(minute) if x.ended_at else "ongoing",
            f"{x.duration_s / 60:.0f} min",
            "" if x.worst_value is None else f"{x.worst_value:g}",
        )
        for x in q.excursions
    ]
    alerts = [_row(f"#{a['id']}", a["severity"], a["state"], a["message"]) for a in q.alerts]
    values = {
        "SITE": html.escape(site),
        "TASK": html.escape(task),
        "NAME": html.escape(name),
        "TYPE": html.escape(kind or "unmapped"),
        "FROM": q.judged_from.strftime(minute),
        "TO": q.judged_to.strftime(minute),
        "NOW": datetime.now(UTC).strftime(minute),
        "SPECS": "".join(specs) or _row("No spec applies to this task's type."),
        "EXCURSIONS": "".join(excursions) or _row("None."),
        "ALERTS": "".join(alerts) or _row("None."),
    }
    page = _TEMPLATE
    for key, value in values.items():
        page = page.replace("{{" + key + "}}", value)
    return page


def _row(*cells: object) -> str:
    return (
        "<tr>"
        + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in cells)
        + "</tr>"
    )


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _out(record: QualityRecord) -> QualityOut:
    return QualityOut(
        judged_from=record.start,
        judged_to=record.end,
        specs=[
            SpecOut(
                rule=s.rule,
                name=s.name,
                source=s.source,
                readings=s.readings,
                judged_hours=round(s.judged_s / 3600, 3),
                in_spec_share=s.in_spec_share,
            )
            for s in record.specs
        ],
        excursions=[ExcursionOut.model_validate(x) for x in record.excursions],
        alerts=record.alerts,
    )
