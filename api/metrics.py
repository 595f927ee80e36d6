"""`/metrics` in Prometheus's text format: every service's counters (reported to the
database) and the state of the devices and dead letters. Needs a viewer key (Prometheus:
`authorization: {credentials: ...}`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api.deps import ConnDep, Viewer
from core.sql import load_queries

router = APIRouter(tags=["metrics"])
_Q = load_queries("api", "metrics.sql")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(conn: ConnDep, _key: Viewer) -> PlainTextResponse:
    lines: list[str] = []
    seen: set[str] = set()
    for service, instance, name, value in conn.execute(_Q["services"]):
        metric = f"sitepulse_{service}_{name}"
        if metric not in seen:
            kind = "counter" if name.endswith("_total") else "gauge"
            lines.append(f"# TYPE {metric} {kind}")
            seen.add(metric)
        lines.append(f'{metric}{{instance="{_label(instance)}"}} {value:g}')
    lines.append("# TYPE sitepulse_dead_letters_pending gauge")
    for site, count in conn.execute(_Q["dead_letters_pending"]):
        lines.append(f'sitepulse_dead_letters_pending{{site="{_label(site)}"}} {count}')
    lines.append("# TYPE sitepulse_devices gauge")
    for site, kind, online, offline, unknown in conn.execute(_Q["devices"]):
        for state, count in (("online", online), ("offline", offline), ("unknown", unknown)):
            labels = f'site="{_label(site)}",kind="{kind}",state="{state}"'
            lines.append(f"sitepulse_devices{{{labels}}} {count}")
    lines.append("# TYPE sitepulse_alerts_open gauge")
    for site, severity, state, count in conn.execute(_Q["alerts_open"]):
        labels = f'site="{_label(site)}",severity="{severity}",state="{state}"'
        lines.append(f"sitepulse_alerts_open{{{labels}}} {count}")
    lines.append("# TYPE sitepulse_notifications gauge")
    for channel, pending, failed, delivered in conn.execute(_Q["deliveries"]):
        for state, count in (("pending", pending), ("failed", failed), ("delivered", delivered)):
            labels = f'channel="{_label(channel)}",state="{state}"'
            lines.append(f"sitepulse_notifications{{{labels}}} {count}")
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
