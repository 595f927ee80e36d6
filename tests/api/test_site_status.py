"""A site's status now, as the routes, the stream and the demo read it (api.site_status)."""

from __future__ import annotations

import pytest

from api.site_status import floor_status, floor_statuses, open_alerts
from core.db import Connection
from sites.site_file import SiteFile


@pytest.mark.parametrize(
    ("online", "offline", "active_alerts", "alarm", "status"),
    [
        (3, 0, 0, False, "ok"),
        (3, 0, 1, False, "warning"),
        (3, 0, 1, True, "alarm"),
        (0, 3, 0, False, "offline"),
        (0, 3, 1, True, "alarm"),  # an alarm outranks silent sensors
        (1, 2, 0, False, "ok"),  # some sensors still speak
        (0, 0, 0, False, "ok"),  # a floor without sensors is not offline
    ],
)
def test_a_floors_status(
    online: int, offline: int, active_alerts: int, alarm: bool, status: str
) -> None:
    assert floor_status(online, offline, active_alerts, alarm) == status


def _alert(conn: Connection, site: str, subject: str, state: str, severity: str) -> None:
    conn.execute(
        "INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message,"
        " opened_at, raised_at, last_breach_at, floor)"
        " VALUES (%s, 'workers.hazard_zone', %s, %s, %s, 'Hazard zone', %s,"
        " now(), now(), now(), 2)",
        (site, subject, state, severity, f"{subject} in a hazard zone"),
    )


def test_open_alerts_are_active_or_acknowledged_newest_first(
    conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    _alert(conn, site_id, "tag-0001", "active", "major")
    _alert(conn, site_id, "tag-0002", "resolved", "critical")
    _alert(conn, site_id, "tag-0003", "acknowledged", "minor")
    _alert(conn, site_id, "tag-0004", "active", "critical")

    found = open_alerts(conn, site_id, limit=2)

    assert [(a.state, a.severity) for a in found] == [
        ("active", "critical"),
        ("acknowledged", "minor"),
    ]
    assert [a.message for a in open_alerts(conn, site_id, limit=10)] == [
        "tag-0004 in a hazard zone",
        "tag-0003 in a hazard zone",
        "tag-0001 in a hazard zone",
    ]
    floor_2 = next(f for f in floor_statuses(conn, site_id) if f.level == 2)
    assert (floor_2.active_alerts, floor_2.status) == (3, "alarm")
