"""From the outbox to deliveries: each alert event becomes one delivery per route and
channel that should hear of it, exactly once; and escalation writes its own events."""

from __future__ import annotations

from core.db import Connection
from core.sql import load_queries
from rules.notify.config import NotifyConfig

_Q = load_queries("rules.notify", "notify.sql")


def channels_for(
    config: NotifyConfig,
    kind: str,
    level: int,
    site: str,
    severity: str,
    floor: int | None,
    reached: int,
) -> list[tuple[str, str]]:
    """(route, channel) pairs for one event. Raised: the first level. Escalated to k: the
    k-th level. Acknowledged or resolved: every level the alert had reached. Comments: none."""
    pairs: list[tuple[str, str]] = []
    for route in config.routes:
        if not route.matches(site, severity, floor):
            continue
        if kind in ("opened", "reopened"):
            levels = route.levels[:1]
        elif kind == "escalated":
            levels = route.levels[level : level + 1]
        elif kind in ("acknowledged", "resolved"):
            levels = route.levels[: reached + 1]
        else:
            levels = []
        for names in levels:
            pairs.extend((route.name, name) for name in names if (route.name, name) not in pairs)
    return pairs


def dispatch(conn: Connection, config: NotifyConfig) -> int:
    """Turn pending events into deliveries; returns how many deliveries were added."""
    added = 0
    with conn.transaction(), conn.cursor() as cur:
        events = cur.execute(_Q["pending_events"]).fetchall()
        for event, kind, level, site, severity, floor, reached in events:
            for route, channel in channels_for(config, kind, level, site, severity, floor, reached):
                cur.execute(
                    _Q["add_delivery"], {"event": event, "route": route, "channel": channel}
                )
                added += max(cur.rowcount, 0)
        if events:
            cur.execute(_Q["mark_dispatched"], {"ids": [e[0] for e in events]})
    return added


def escalate(conn: Connection, config: NotifyConfig) -> int:
    """Alerts still unacknowledged past an escalation delay get an `escalated` event per
    level reached; an acknowledged or resolved alert never escalates."""
    if not config.escalation:
        return 0
    written = 0
    with conn.transaction(), conn.cursor() as cur:
        due = cur.execute(
            _Q["due_escalations"],
            {"first": min(config.escalation), "levels": len(config.escalation)},
        ).fetchall()
        for alert, _site, current, unanswered in due:
            target = config.escalation_level(unanswered)
            for level in range(current + 1, target + 1):
                delay = sorted(config.escalation)[level - 1]
                note = f"not acknowledged after {int(delay.total_seconds())} s"
                cur.execute(_Q["escalated_event"], {"id": alert, "note": note, "level": level})
                written += 1
            if target > current:
                cur.execute(_Q["escalate"], {"id": alert, "level": target})
    return written
