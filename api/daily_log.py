"""The daily construction log (records/daily_log.py): JSON, a printable A4 page with
Chinese and English labels, and the day's notes (a manager writes; every version kept)."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import ConnDep, Manager, Viewer
from api.floors import site_or_404
from api.keys import ApiKey
from api.params import Day
from api.problems import Problem
from api.stream import stream_key
from core.db import Connection
from core.errors import SitePulseError
from records.daily_log import (
    NOTES_MAX_CHARS,
    DailyLog,
    Notes,
    daily_log,
    note_history,
    write_notes,
)

router = APIRouter(prefix="/api/v1/sites", tags=["records"])
_TEMPLATE = (Path(__file__).parent / "daily_log.html").read_text(encoding="utf-8")
_WEEKDAYS = (
    "星期一 Mon",
    "星期二 Tue",
    "星期三 Wed",
    "星期四 Thu",
    "星期五 Fri",
    "星期六 Sat",
    "星期日 Sun",
)
_STATES = {"started": "开始 started", "under_way": "进行 under way", "finished": "完成 finished"}


class DailyLogOut(DailyLog):
    from_: datetime = Field(serialization_alias="from")


class NotesIn(BaseModel):
    notes: str = Field(max_length=NOTES_MAX_CHARS)


class NotesOut(BaseModel):
    site: str
    day: date
    notes: Notes
    # every version of the day's notes, oldest first
    history: list[Notes]


def _log(conn: Connection, site: str, day: date | None) -> DailyLog:
    found = site_or_404(conn, site)
    day = day or datetime.now(ZoneInfo(found.timezone)).date()
    try:
        return daily_log(conn, site, day, datetime.now(UTC))
    except SitePulseError as exc:
        raise Problem(422, "Invalid request", f"invalid query.day: {exc}") from exc


@router.get("/{site}/daily-log")
def get_daily_log(site: str, conn: ConnDep, _key: Viewer, day: Day | None = None) -> DailyLogOut:
    """`day`: the site's calendar day (default today there)."""
    return DailyLogOut.model_validate(_log(conn, site, day).model_dump())


@router.get("/{site}/daily-log.html", response_class=HTMLResponse)
def daily_log_page(
    site: str,
    conn: ConnDep,
    _key: Annotated[ApiKey, Depends(stream_key)],
    day: Day | None = None,
) -> HTMLResponse:
    """Printable on A4 (also `?key=` for a browser, like the board; use a viewer key)."""
    return HTMLResponse(render_log(_log(conn, site, day)))


@router.put("/{site}/daily-log/notes")
def put_notes(site: str, day: Day, body: NotesIn, conn: ConnDep, key: Manager) -> NotesOut:
    """Replaces the day's notes; the earlier versions stay in `history`."""
    site_or_404(conn, site)
    notes = write_notes(conn, site, day, body.notes, key.name)
    return NotesOut(site=site, day=day, notes=notes, history=note_history(conn, site, day))


def render_log(log: DailyLog) -> str:
    zone = ZoneInfo(log.timezone)
    w, people = log.weather, log.workforce
    values = {
        "SITE": html.escape(log.site),
        "SITE_NAME": html.escape(log.site_name),
        "DAY": log.day.isoformat(),
        "WEEKDAY": _WEEKDAYS[log.day.weekday()],
        "TZ": html.escape(log.timezone),
        "TEMP": _range(w.min_temp_c, w.max_temp_c, "°C")
        + _when(" (最低 min ", w.min_temp_at, ", 最高 max ", w.max_temp_at, zone),
        "RH": _range(w.min_rh_pct, w.max_rh_pct, "%"),
        "WIND": "—"
        if w.max_wind_mps is None
        else f"{w.max_wind_mps:.1f} m/s"
        + _when(" at ", w.max_wind_at, "", None, zone)
        + f" ({html.escape(w.max_wind_device or '')})",
        "RAIN": "—" if w.rain_mm is None else f"{w.rain_mm:.1f} mm",
        "HEADCOUNT": str(people.headcount),
        "HOURS": f"{people.hours:.1f}",
        "BY_TRADE": "".join(_row(c.key, c.headcount, round(c.hours, 1)) for c in people.by_trade)
        or _row("无 none", "", ""),
        "BY_FLOOR": "".join(
            _row(_floor(c.key), c.headcount, round(c.hours, 1)) for c in people.by_floor
        )
        or _row("无 none", "", ""),
        "TASKS": "".join(
            _row(
                _floor(str(t.floor)),
                f"{t.name} ({t.task})",
                _STATES[t.state],
                t.trade or "",
                f"{t.excursions}: {t.excursion_rules}" if t.excursions else "0",
            )
            for t in log.tasks
        )
        or _row("无 none", "", "", "", ""),
        "CONCRETE": _concrete(log, zone),
        "CRANES": "".join(
            _row(
                c.crane,
                c.lifts,
                f"{c.tonnes:.1f} t",
                f"{c.hours_loaded:.2f} h",
                "—" if c.max_load_t is None else f"{c.max_load_t:.2f} t",
                "—" if c.max_moment_pct is None else f"{c.max_moment_pct:.0f} %",
                c.lifts_over_90_pct,
            )
            for c in log.cranes
        )
        or _row("无 none", "", "", "", "", "", ""),
        "ALERTS": "".join(
            _row(a.severity, a.raised, a.acknowledged, a.resolved) for a in log.alerts
        ),
        "OFFLINE": "".join(
            _row(
                f"{d.device} ({d.kind})",
                _local(d.offline_from, zone),
                _local(d.back_at, zone) if d.back_at else "仍离线 still offline",
            )
            for d in log.devices_offline
        )
        or _row("无 none", "", ""),
        "NOTES": html.escape(log.notes.notes) if log.notes else "",
        "NOTES_BY": (
            f"{html.escape(log.notes.written_by)}, {_local(log.notes.written_at, zone)}"
            if log.notes
            else ""
        ),
        "GENERATED": _local(log.generated_at, zone),
    }
    page = _TEMPLATE
    for key, value in values.items():
        page = page.replace("{{" + key + "}}", value)
    return page


def _concrete(log: DailyLog, zone: ZoneInfo) -> str:
    if not log.concrete:
        return ""
    rows = "".join(
        _row(
            c.task,
            ", ".join(_floor(str(f)) for f in c.floors),
            f"{c.grade}: {c.strength_mpa:.1f} MPa ({c.strength_pct:.0f} %)",
            _milestone(c.stripping_at, c.stripping_status, zone),
            _milestone(c.frost_safe_at, c.frost_safe_status, zone),
        )
        for c in log.concrete
    )
    return (
        "<table><tr><th>浇筑 Pour</th><th>楼层 Floors</th><th>强度 Strength</th>"
        "<th>拆模 Stripping</th><th>抗冻 Frost-safe</th></tr>" + rows + "</table>"
    )


def _milestone(at: datetime | None, status: str, zone: ZoneInfo) -> str:
    return f"{_local(at, zone) if at else '—'} ({status.replace('_', ' ')})"


def _row(*cells: object) -> str:
    tds = "".join(
        f'<td class="n">{c}</td>'
        if isinstance(c, int | float)
        else f"<td>{html.escape(str(c))}</td>"
        for c in cells
    )
    return f"<tr>{tds}</tr>"


def _floor(key: str) -> str:
    return (
        "未知 unknown"
        if key == "unknown"
        else f"{key}F"
        if not key.startswith("-")
        else f"B{key[1:]}"
    )


def _range(low: float | None, high: float | None, unit: str) -> str:
    if low is None or high is None:
        return "—"
    return f"{low:.1f} to {high:.1f} {unit}"


def _when(
    before: str, first: datetime | None, between: str, second: datetime | None, zone: ZoneInfo
) -> str:
    if first is None:
        return ""
    text = before + first.astimezone(zone).strftime("%H:%M")
    if second is not None:
        text += between + second.astimezone(zone).strftime("%H:%M") + ")"
    return text


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
