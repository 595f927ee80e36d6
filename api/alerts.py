"""Alerts: list and filter them; a manager acknowledges, resolves and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from api.deps import ConnDep, Manager, Viewer
from api.keys import ApiKey
from api.problems import Problem
from core.errors import AlertNotFound, AlertTransitionRefused
from rules.alerts import PersonAction, act, get_alert, list_alerts
from rules.model import Severity

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
State = Literal["active", "acknowledged", "resolved"]


class AlertEvent(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str
    note: str | None
    value: float | None
    level: int


# Read from rules.alerts' rows, whose columns are named as in the table (site_id, ...).
class Alert(BaseModel):
    id: int
    site: str = Field(validation_alias="site_id")
    rule: str = Field(validation_alias="rule_id")
    subject: str
    state: State
    severity: Severity
    title: str
    message: str
    floor: int | None
    zone: str | None
    device: str | None = Field(validation_alias="device_id")
    task: str | None = Field(validation_alias="task_id")
    value: float | None
    worst_value: float | None
    breaches: int
    raised: int = Field(description="times raised: the first time and each reopening")
    opened_at: datetime
    raised_at: datetime
    last_breach_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    escalation_level: int
    updated_at: datetime
    events: list[AlertEvent] | None = None


class Note(BaseModel):
    note: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


@router.get("")
def alerts(
    conn: ConnDep,
    _key: Viewer,
    site: str | None = None,
    state: Annotated[list[State] | None, Query(description="repeat for several")] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    floor: Annotated[int | None, Query(ge=-10, le=200)] = None,
    before_id: Annotated[int | None, Query(ge=1, description="page: ids below this")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Alert]:
    """Newest first. Page backwards with `before_id` = the last id of the previous page."""
    found = list_alerts(
        conn,
        site=site,
        states=state,
        severities=severity,
        floor=floor,
        before_id=before_id,
        limit=limit,
    )
    return [Alert.model_validate(row) for row in found]


@router.get("/{alert_id}")
def alert(alert_id: int, conn: ConnDep, _key: Viewer) -> Alert:
    """The alert with its audit trail: every transition, who or what made it, and when."""
    return Alert.model_validate(_or_404(lambda: get_alert(conn, alert_id)))


@router.post("/{alert_id}/ack")
def acknowledge(
    alert_id: int, conn: ConnDep, key: Manager, body: Annotated[Note | None, Body()] = None
) -> Alert:
    """Someone is on it: escalation stops. Acknowledging twice changes nothing."""
    return _act(conn, alert_id, "acknowledge", key, body)


@router.post("/{alert_id}/resolve")
def resolve(
    alert_id: int, conn: ConnDep, key: Manager, body: Annotated[Note | None, Body()] = None
) -> Alert:
    """Closed by a person. If the condition still holds, the rule raises it again after
    its duration (reopening this alert within the flapping window)."""
    return _act(conn, alert_id, "resolve", key, body)


@router.post("/{alert_id}/comment")
def comment(alert_id: int, conn: ConnDep, key: Manager, body: Note) -> Alert:
    if not body.note:
        raise Problem(422, "Unprocessable Content", "note: a comment needs a note", field="note")
    return _act(conn, alert_id, "comment", key, body)


def _act(conn: Any, alert_id: int, action: PersonAction, key: ApiKey, body: Note | None) -> Alert:
    actor = f"key:{key.name}"
    try:
        return Alert.model_validate(act(conn, alert_id, action, actor, body.note if body else None))
    except AlertNotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None
    except AlertTransitionRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from None


def _or_404(fetch: Any) -> dict[str, Any]:
    try:
        row: dict[str, Any] = fetch()
    except AlertNotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None
    return row
