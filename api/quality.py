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
from concrete.model import MilestoneOut, TaskConcrete
from concrete.report import task_concrete
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
    concrete = task_concrete(conn, site, task, datetime.now(UTC))
    return HTMLResponse(render_page(site, task, name, kind, quality, concrete))


_MINUTE = "%Y-%m-%d %H:%M"


def render_page(
    site: str,
    task: str,
    name: str,
    kind: str | None,
    q: QualityOut,
    concrete: TaskConcrete | None = None,
) -> str:
    minute = _MINUTE
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
        "CONCRETE": _concrete_section(concrete) if concrete else "",
    }
    page = _TEMPLATE
    for key, value in values.items():
        page = page.replace("{{" + key + "}}", value)
    return page


def _concrete_section(c: TaskConcrete) -> str:
    curve = "lab-calibrated curve" if c.calibrated else "shipped curve, NOT calibrated for this mix"
    summary = _row(
        f"{c.grade} ({c.grade_source}; {curve})",
        f"{c.since.strftime(_MINUTE)} ({c.since_source})",
        c.probe or "no probe",
        f"{c.maturity_degc_h:.0f} °C·h",
        f"{c.equivalent_age_h:.1f} h",
        f"{c.strength_mpa:.1f} MPa ({c.strength_pct:.0f} %)",
    )
    decisions = [
        _milestone("Stripping (bottom formwork) 拆底模", c.stripping_at),
        _milestone("Critical frost strength 受冻临界强度", c.frost_safe_at),
        _row(
            "Air frost forecast 气温降至冰点",
            "",
            "forecast" if c.air_frost_at else "not forecast",
            _at(c.air_frost_at),
            "the site's air temperature trend",
        ),
    ]
    if c.next_task is not None:
        late = c.stripping_late_days
        decisions.append(
            _row(
                f"Next task: {c.next_task.name} ({c.next_task.id})",
                "",
                "—" if late is None else f"stripping {late:+.1f} days after its start",
                _at(c.next_task.planned_start),
                "planned start",
            )
        )
    probes = [
        _row(
            p.device,
            p.floor if p.zone is None else f"{p.floor} / {p.zone}",
            p.readings,
            _at(p.last_ts),
            "" if p.last_temp_c is None else f"{p.last_temp_c:.1f} °C",
            f"{p.maturity_degc_h:.0f} °C·h",
            f"{p.strength_mpa:.1f} MPa ({p.strength_pct:.0f} %)",
            "; ".join(f"{_at(g.start)} to {_at(g.end)} ({g.hours:.1f} h)" for g in p.gaps)
            or "none",
        )
        for p in c.probes
    ]
    return (
        "<h2>Concrete strength 混凝土强度 (maturity method)</h2>"
        f"{_chart(c)}"
        "<table><tr><th>grade</th><th>poured (UTC)</th><th>coldest probe</th><th>maturity</th>"
        f"<th>equivalent age at 20 °C</th><th>strength</th></tr>{summary}</table>"
        "<table><tr><th>decision</th><th>needs</th><th>status</th><th>at (UTC)</th><th>source</th>"
        f"</tr>{''.join(decisions)}</table>"
        "<table><tr><th>probe</th><th>floor / zone</th><th>readings</th><th>last (UTC)</th>"
        "<th>core</th><th>maturity</th><th>strength</th><th>gaps not bridged</th></tr>"
        f"{''.join(probes) or _row('No probe has reported since the pour.')}</table>"
        f'<p class="src">Nurse-Saul temperature-time factor (ASTM C1074), datum '
        f"{c.datum_c:g} °C, readings more than {c.gap_limit_h:g} h apart not bridged; strength "
        "S = a + b·log10(M) for the grade; the task's values are its coldest probe's; "
        "forecasts carry the last hours' temperature trend forward.</p>"
    )


def _chart(c: TaskConcrete, width: int = 720, height: int = 180) -> str:
    """The coldest probe's strength since the pour, with the stripping and frost lines."""
    points = c.strength_history
    if len(points) < 2:
        return ""
    start, end = c.since, max(c.computed_at, points[-1].at)
    top = 1.15 * max(c.stripping_at.target_mpa, max(p.strength_mpa for p in points))
    span_s = max((end - start).total_seconds(), 1.0)

    def x(ts: datetime) -> float:
        return 40 + (width - 50) * (ts - start).total_seconds() / span_s

    def y(mpa: float) -> float:
        return height - 20 - (height - 30) * mpa / top

    line = " ".join(f"{x(p.at):.1f},{y(p.strength_mpa):.1f}" for p in points)
    marks = "".join(
        f'<line x1="40" x2="{width - 10}" y1="{y(m.target_mpa):.1f}" y2="{y(m.target_mpa):.1f}"'
        f' stroke="{colour}" stroke-dasharray="5 4"/><text x="44" y="{y(m.target_mpa) - 3:.1f}"'
        f' fill="{colour}" font-size="11">{label} {m.target_mpa:.1f} MPa</text>'
        for label, m, colour in (
            ("stripping", c.stripping_at, "#b35c00"),
            ("frost-safe", c.frost_safe_at, "#1f5fa8"),
        )
    )
    return (
        f'<svg width="{width}" height="{height}" role="img" aria-label="strength over time">'
        f'<line x1="40" x2="40" y1="10" y2="{height - 20}" stroke="#888"/>'
        f'<line x1="40" x2="{width - 10}" y1="{height - 20}" y2="{height - 20}" stroke="#888"/>'
        f'<text x="2" y="16" font-size="11">{top:.0f} MPa</text>'
        f'<text x="40" y="{height - 4}" font-size="11">{start.strftime(_MINUTE)}</text>'
        f'<text x="{width - 10}" y="{height - 4}" font-size="11" text-anchor="end">'
        f"{end.strftime(_MINUTE)}</text>{marks}"
        f'<polyline points="{line}" fill="none" stroke="#111" stroke-width="2"/></svg>'
    )


def _milestone(label: str, m: MilestoneOut) -> str:
    needs = f"{m.target_mpa:.1f} MPa ({m.target_pct:.0f} %)"
    return _row(label, needs, m.status.replace("_", " "), _at(m.at), m.source)


def _at(ts: datetime | None) -> str:
    return ts.strftime(_MINUTE) if ts else "—"


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
