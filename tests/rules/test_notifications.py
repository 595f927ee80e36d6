"""Notifications against real local receivers: an HTTP server that checks each robot's
signature as the real service does, and an SMTP server. Alerts come through the real
pipeline (MQTT -> ingest -> rules)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from core.db import Connection
from core.settings import Settings
from rules.alerts import act
from tests.helpers import publish, publisher, rows, running_ingest, running_rules, wait_for
from tests.receivers import SECRET, HttpReceiver, SmtpReceiver

ROBOTS = ("/webhook", "/wecom", "/dingtalk", "/feishu")
pytestmark = pytest.mark.usefixtures("loaded_site")


class Routed(Protocol):
    def __call__(self, routes: str, escalation: str = "[10m]") -> Settings: ...


@pytest.fixture
def routed(settings: Settings, tmp_path: Path, http: HttpReceiver, smtp: SmtpReceiver) -> Routed:
    """The test's settings with a notify file that sends `routes` to the receivers."""

    def route(routes: str, escalation: str = "[10m]") -> Settings:
        path = tmp_path / "notify.yaml"
        path.write_text(
            f"""\
smtp: {{host: 127.0.0.1, port: {smtp.port}, sender: sitepulse@test.local}}
escalation: {escalation}
channels:
  hook: {{type: webhook, url: "{http.url("/webhook")}", secret: {SECRET}}}
  wecom: {{type: wecom, url: "{http.url("/wecom")}?key=k-1"}}
  ding: {{type: dingtalk, url: "{http.url("/dingtalk")}?access_token=t-1", secret: {SECRET}}}
  lark: {{type: feishu, url: "{http.url("/feishu")}", secret: {SECRET}}}
  mail: {{type: email, to: [pm@test.local]}}
routes:
{routes}""",
            encoding="utf-8",
        )
        return settings.model_copy(update={"notify_file": path})

    return route


def raise_moment_alarm(settings: Settings, site_id: str, moment: float = 104.0) -> None:
    ts = int((datetime.now(UTC) - timedelta(seconds=5)).timestamp() * 1000)
    with publisher(settings) as client:
        publish(
            client,
            f"site/{site_id}/crane/tc-1/telemetry",
            json.dumps({"ts": ts, "moment_pct": moment}),
        )


def open_alert(conn: Connection, site_id: str, rule: str) -> int:
    found = wait_for(
        lambda: rows(
            conn, "SELECT id FROM alerts WHERE site_id = %s AND rule_id = %s", site_id, rule
        ),
        bool,
        what=f"alert {rule}",
    )
    return int(found[0][0])


def test_each_transition_reaches_each_channel_once_signed(
    conn: Connection, site_id: str, http: HttpReceiver, smtp: SmtpReceiver, routed: Routed
) -> None:
    routes = """\
  - {name: everyone, levels: [[hook, wecom, ding, lark]]}
  - {name: managers, severities: [critical], levels: [[mail]]}
  - {name: other-site, sites: [elsewhere], levels: [[hook]]}
"""
    settings = routed(routes)
    with running_ingest(settings), running_rules(settings):
        raise_moment_alarm(settings, site_id)
        alert = open_alert(conn, site_id, "crane.moment.alarm")
        wait_for(lambda: len(http.received) + len(smtp.messages), lambda n: n == 5, what="5 sends")
        act(conn, alert, "resolve", "key:site-manager", "load lowered, limiter checked")
        wait_for(
            lambda: len(http.received) + len(smtp.messages), lambda n: n == 10, what="10 sends"
        )
        # nothing more arrives: one delivery per transition, route and channel
        pending = "SELECT count(*) FROM alert_events WHERE dispatched_at IS NULL"
        wait_for(lambda: rows(conn, pending), lambda r: r == [(0,)], what="all dispatched")
    assert http.refused == []
    for path in ROBOTS:
        assert len(http.at(path)) == 2, path
    hook = [r.body for r in http.at("/webhook")]
    assert [b["event"] for b in hook] == ["opened", "resolved"]
    assert hook[0]["alert"]["rule"] == "crane.moment.alarm"
    assert (
        hook[0]["alert"]["message"]
        == "tc-1: load moment 104% of rated, at or over the limit: stop and lower the load"
    )
    assert hook[1]["actor"] == "key:site-manager"
    assert http.at("/dingtalk")[0].query["access_token"] == "t-1"
    assert "[CRITICAL] Load moment alarm" in http.at("/wecom")[0].body["markdown"]["content"]
    assert "load lowered, limiter checked" in http.at("/feishu")[1].body["content"]["text"]
    # a long subject is folded on the wire; unfolded it may keep the fold's leading space
    subjects = [str(m["Subject"]).strip() for m in smtp.messages]
    assert subjects == [
        f"{site_id}: [CRITICAL] Load moment alarm",
        f"{site_id}: [CRITICAL] Load moment alarm: resolved by key:site-manager",
    ]
    assert [m["To"] for m in smtp.messages] == ["pm@test.local"] * 2
    recorded = rows(conn, "SELECT count(*), count(delivered_at) FROM deliveries")
    assert recorded == [(10, 10)]


def test_a_receiver_down_for_a_while_gets_everything_once_when_back(
    conn: Connection, site_id: str, http: HttpReceiver, routed: Routed
) -> None:
    http.stop()  # down until it is started again below
    settings = routed("  - {name: everyone, levels: [[hook, wecom, ding, lark]]}\n")
    with running_ingest(settings), running_rules(settings):
        raise_moment_alarm(settings, site_id)
        open_alert(conn, site_id, "crane.moment.alarm")
        failures = wait_for(
            lambda: rows(conn, "SELECT count(*) FROM delivery_attempts WHERE NOT ok"),
            lambda r: r[0][0] >= 8,
            timeout=20,
            what="two failed attempts per channel",
        )
        assert failures[0][0] >= 8
        errors = rows(conn, "SELECT DISTINCT last_error FROM deliveries")
        assert all("Connection refused" in str(e) for (e,) in errors), errors
        http.start()
        wait_for(lambda: len(http.received), lambda n: n == 4, timeout=30, what="delivery")
    # a restart of the service sends nothing again
    with running_rules(settings):
        wait_for(lambda: rows(conn, "SELECT count(*) FROM delivery_attempts"), bool)
        time.sleep(2.5)
    assert sorted(r.path for r in http.received) == sorted(ROBOTS)
    assert rows(conn, "SELECT count(*) FROM deliveries WHERE delivered_at IS NULL") == [(0,)]


def test_escalation_fires_when_unacknowledged_and_not_after_an_ack(
    conn: Connection, site_id: str, http: HttpReceiver, routed: Routed
) -> None:
    settings = routed("  - {name: duty, levels: [[wecom], [ding]]}\n", escalation="[3s]")
    sos = json.dumps(
        {
            "tag-0002": {
                "ts": int(datetime.now(UTC).timestamp() * 1000) - 1000,
                "x_m": 5.0,
                "y_m": 5.0,
                "floor": 2,
                "sos": True,
            }
        }
    )
    with running_ingest(settings), running_rules(settings):
        raise_moment_alarm(settings, site_id)
        ignored = open_alert(conn, site_id, "crane.moment.alarm")
        with publisher(settings) as client:
            publish(client, f"site/{site_id}/gateway/gw-01/telemetry", sos)
        answered = open_alert(conn, site_id, "worker.sos")
        act(conn, answered, "acknowledge", "key:foreman", "on my way")
        wait_for(lambda: len(http.at("/dingtalk")), lambda n: n >= 1, timeout=15, what="escalation")
        act(conn, ignored, "acknowledge", "key:safety-officer", None)
        wait_for(lambda: len(http.at("/dingtalk")), lambda n: n == 2, what="the ack at level 1")
        time.sleep(6)  # past another escalation run: nothing more
    ding = [r.body["markdown"]["title"] for r in http.at("/dingtalk")]
    assert ding == [
        "[CRITICAL] Load moment alarm (escalated, level 1: not acknowledged)",
        "[CRITICAL] Load moment alarm: acknowledged by key:safety-officer",
    ]
    wecom = [r.body["markdown"]["content"].splitlines()[0] for r in http.at("/wecom")]
    assert sorted(wecom) == sorted(
        [
            "**[CRITICAL] Load moment alarm**",
            "**[CRITICAL] SOS pressed**",
            "**[CRITICAL] SOS pressed: acknowledged by key:foreman**",
            "**[CRITICAL] Load moment alarm: acknowledged by key:safety-officer**",
        ]
    )
    levels = rows(conn, "SELECT id, escalation_level FROM alerts ORDER BY id")
    assert dict(levels) == {ignored: 1, answered: 0}
