"""The alert lifecycle in the database: what the engine decided, and what people do.
Every transition writes an event in the same transaction; the events are the outbox
the notifier delivers from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from psycopg.rows import dict_row

from core.db import Connection
from core.errors import AlertNotFound, AlertTransitionRefused
from core.sql import load_queries
from rules.context import SiteContext
from rules.engine import Key, Transition
from rules.messages import alert_message

_Q = load_queries("rules", "alerts.sql")
ENGINE = "rules"
PersonAction = Literal["acknowledge", "resolve", "comment"]


@dataclass(frozen=True, slots=True)
class Written:
    alert_id: int
    event: str | None  # the event written, None for a repeat


def write_transitions(
    conn: Connection,
    ctx: SiteContext,
    transitions: Sequence[Transition],
    flap_window: timedelta,
) -> list[Written]:
    """Apply the engine's transitions in one transaction, with their events and a NOTIFY."""
    written: list[Written] = []
    if not transitions:
        return written
    with conn.transaction(), conn.cursor() as cur:
        for t in transitions:
            params = _params(ctx, t, flap_window)
            if t.action == "clear":
                cur.execute(_Q["clear"], params)
                row = cur.fetchone()
                if t.obs.task:
                    cur.execute(_Q["excursion_end"], params)
                if row:
                    note = (
                        t.obs.detail
                        if t.obs.task and t.obs.detail
                        else f"clear condition held for {_seconds(t)}"
                    )
                    _event(cur, row[0], "resolved", ENGINE, note, t.obs.value)
                    written.append(Written(row[0], "resolved"))
                continue
            cur.execute(_Q["repeat"], params)
            row = cur.fetchone()
            if row:
                if t.obs.task:
                    cur.execute(_Q["excursion_worst"], params)
                written.append(Written(row[0], None))
                continue
            if t.action == "repeat":
                continue  # a person resolved it meanwhile; the engine learns on its next sync
            cur.execute(_Q["reopen"], params)
            row = cur.fetchone()
            kind = "reopened"
            if row is None:
                cur.execute(_Q["open"], params)
                row = cur.fetchone()
                kind = "opened"
            assert row is not None
            _event(cur, row[0], kind, ENGINE, params["message"], t.obs.value)
            if t.obs.task:
                cur.execute(_Q["excursion_start"], {**params, "alert": row[0]})
            written.append(Written(row[0], kind))
        if any(w.event for w in written):
            cur.execute(_Q["notify"], {"site": ctx.site_id})
    return written


def open_keys(conn: Connection, site: str) -> set[Key]:
    return {(r, s) for r, s in conn.execute(_Q["open_keys"], {"site": site})}


def act(
    conn: Connection, alert_id: int, action: PersonAction, actor: str, note: str | None
) -> dict[str, Any]:
    """A person acknowledges, resolves or comments on an alert; returns the alert.
    Acknowledging an acknowledged alert changes nothing; acting on a resolved one is refused."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(_Q["state"], {"id": alert_id})
        found = cur.fetchone()
        if found is None:
            raise AlertNotFound(f"no alert {alert_id}")
        state, site = found
        if action == "comment":
            if not note:
                raise AlertTransitionRefused("a comment needs a note")
            _event(cur, alert_id, "commented", actor, note, None)
        elif state == "resolved":
            raise AlertTransitionRefused(f"alert {alert_id} is already resolved")
        elif action == "acknowledge" and state == "acknowledged":
            pass
        else:
            query, kind = (
                ("acknowledge", "acknowledged")
                if action == "acknowledge"
                else ("resolve", "resolved")
            )
            cur.execute(_Q[query], {"id": alert_id, "actor": actor})
            if cur.fetchone() is None:
                raise AlertTransitionRefused(f"alert {alert_id} changed meanwhile; try again")
            _event(cur, alert_id, kind, actor, note, None)
            cur.execute(_Q["notify"], {"site": site})
    return get_alert(conn, alert_id)


def get_alert(conn: Connection, alert_id: int) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_Q["get"], {"id": alert_id})
        row = cur.fetchone()
        if row is None:
            raise AlertNotFound(f"no alert {alert_id}")
        cur.execute(_Q["events"], {"id": alert_id})
        row["events"] = cur.fetchall()
    return row


def list_alerts(
    conn: Connection,
    *,
    site: str | None = None,
    states: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    floor: int | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    params = {
        "site": site,
        "states": list(states) if states else None,
        "severities": list(severities) if severities else None,
        "floor": floor,
        "before_id": before_id,
        "limit": limit,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_Q["list"], params).fetchall()


def _params(ctx: SiteContext, t: Transition, flap_window: timedelta) -> dict[str, Any]:
    return {
        "site": ctx.site_id,
        "rule": t.rule.id,
        "subject": t.obs.subject,
        "severity": t.rule.severity,
        "title": t.rule.name,
        "message": alert_message(t.rule, t.obs, ctx),
        "floor": t.obs.floor,
        "zone": t.obs.zone,
        "device": t.obs.device,
        "task": t.obs.task,
        "metric": t.rule.when.metric
        if t.rule.when
        else (t.rule.predicate.name if t.rule.predicate else None),
        "since": t.since or t.obs.ts,
        "value": t.obs.value,
        "worst": t.worst,
        "rising": t.rule.rising,
        "breaches": t.breaches,
        "flap": flap_window,
    }


def _event(
    cur: Any,
    alert_id: int,
    kind: str,
    actor: str,
    note: str | None,
    value: float | None,
    level: int = 0,
) -> None:
    cur.execute(
        _Q["event"],
        {
            "alert": alert_id,
            "kind": kind,
            "actor": actor,
            "note": note,
            "value": value,
            "level": level,
        },
    )


def _seconds(t: Transition) -> str:
    held = t.rule.clear.for_ if t.rule.clear else timedelta(0)
    return f"{held.total_seconds():g} s"


def events_since(conn: Connection, site: str, after: int) -> list[dict[str, Any]]:
    names = (
        "event_id",
        "at",
        "event",
        "actor",
        "note",
        "level",
        "alert_id",
        "rule",
        "subject",
        "state",
        "severity",
        "title",
        "message",
        "floor",
    )
    return [
        dict(zip(names, row, strict=True))
        for row in conn.execute(_Q["events_since"], {"site": site, "after": after})
    ]


def last_event_id(conn: Connection, site: str) -> int:
    row = conn.execute(_Q["last_event"], {"site": site}).fetchone()
    return int(row[0]) if row else 0


def retire_alerts(conn: Connection, site: str, in_force: Sequence[str]) -> list[int]:
    """Resolve the open alerts of rules no longer in force for the site, saying why."""
    with conn.transaction(), conn.cursor() as cur:
        retired = cur.execute(_Q["retire"], {"site": site, "in_force": list(in_force)}).fetchall()
        for alert_id, rule in retired:
            _event(
                cur, alert_id, "resolved", ENGINE, f"rule {rule} is no longer in force here", None
            )
        if retired:
            cur.execute(_Q["notify"], {"site": site})
    return [alert_id for alert_id, _ in retired]
