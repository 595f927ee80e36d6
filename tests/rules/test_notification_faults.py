"""No single receiver can silence the notifier (issue 12). Each test routes one alert to
a channel that fails, first in line, and to a healthy one: in one pass the healthy one is
delivered and the failure is recorded, with a detail a person can act on, and retried
later. Real receivers on localhost; the alerts are written straight to the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.db import Connection
from rules.notify.config import parse_notify_config
from rules.notify.deliver import deliver_due
from rules.notify.outbox import dispatch
from sites.site_file import SiteFile
from tests.conftest import free_port
from tests.helpers import rows
from tests.receivers import (
    SECRET,
    BrokenHttpReceiver,
    Certificates,
    HttpReceiver,
    SmtpReceiver,
    serving,
)

MAX_ATTEMPTS = 3


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates.make(tmp_path_factory.mktemp("tls"))


def raise_alert(conn: Connection, site: str, title: str = "Load moment alarm") -> int:
    row = conn.execute(
        "INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message,"
        " opened_at, raised_at, last_breach_at) VALUES (%s, 'crane.moment.alarm', 'tc-1',"
        " 'active', 'critical', %s, 'tc-1: load moment 104%% of rated', now(), now(), now())"
        " RETURNING id",
        (site, title),
    ).fetchone()
    assert row is not None
    conn.execute(
        "INSERT INTO alert_events (alert_id, kind, actor) VALUES (%s, 'opened', 'rules')",
        (row[0],),
    )
    return int(row[0])


def deliver(conn: Connection, text: str, *, again: bool = False) -> tuple[int, int]:
    """One pass of the notifier: new events become deliveries, due ones are attempted.
    With `again`, the failed deliveries' backoff is over first."""
    config = parse_notify_config(text, "notify.yaml")
    if again:
        conn.execute("UPDATE deliveries SET next_attempt_at = now() WHERE failed_at IS NULL")
    dispatch(conn, config)
    return deliver_due(conn, config, MAX_ATTEMPTS)


def config_text(channels: dict[str, str], *, smtp: str = "", ca_file: Path | None = None) -> str:
    lines = [f"smtp: {smtp}"] if smtp else []
    if ca_file is not None:
        lines.append(f"ca_file: {ca_file}")
    lines.append("channels:")
    lines += [f"  {name}: {channel}" for name, channel in channels.items()]
    # listed in this order, the failing channel's delivery is first in line
    lines.append(f"routes:\n  - {{name: everyone, levels: [[{', '.join(channels)}]]}}")
    return "\n".join(lines) + "\n"


def state(conn: Connection) -> dict[str, dict[str, Any]]:
    """Each channel's delivery, and the detail of its last attempt."""
    found = rows(
        conn,
        "SELECT d.channel, d.attempts, d.delivered_at IS NOT NULL, d.failed_at IS NOT NULL,"
        " d.next_attempt_at > now(), d.last_error,"
        " (SELECT detail FROM delivery_attempts WHERE delivery_id = d.id ORDER BY at DESC"
        "  LIMIT 1)"
        " FROM deliveries AS d ORDER BY d.id",
    )
    keys = ("attempts", "delivered", "gave_up", "rescheduled", "last_error", "detail")
    return {channel: dict(zip(keys, values, strict=True)) for channel, *values in found}


def assert_failed_and_rescheduled(delivery: dict[str, Any], *details: str) -> None:
    assert delivery["attempts"] == 1
    assert not delivery["delivered"]
    assert not delivery["gave_up"]
    assert delivery["rescheduled"]
    assert delivery["last_error"] == delivery["detail"]
    for detail in details:
        assert detail in delivery["detail"], delivery["detail"]


GARBAGE = [
    pytest.param(b"garbage\r\n\r\n", "BadStatusLine: garbage", id="not-http"),
    pytest.param(
        b"HTTP/1.1 200 OK\r\nX-Padding: " + b"x" * 70_000 + b"\r\n\r\n",
        "LineTooLong: got more than 65536 bytes when reading header line",
        id="header-line-too-long",
    ),
    pytest.param(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789",
        "IncompleteRead(10 bytes read, 990 more expected)",
        id="body-cut-short",
    ),
]


@pytest.mark.parametrize(("answer", "detail"), GARBAGE)
def test_a_receiver_answering_garbage_fails_alone(
    conn: Connection, loaded_site: SiteFile, http: HttpReceiver, answer: bytes, detail: str
) -> None:
    broken = BrokenHttpReceiver(answer)
    try:
        raise_alert(conn, loaded_site.site.id)
        text = config_text(
            {
                "broken": f'{{type: webhook, url: "{broken.url("/hook/secret-path")}?key=k"}}',
                "wecom": f'{{type: wecom, url: "{http.url("/wecom")}?key=k-1"}}',
            }
        )
        assert deliver(conn, text) == (1, 1)
    finally:
        broken.stop()
    assert broken.requests == 1
    assert len(http.at("/wecom")) == 1
    deliveries = state(conn)
    assert deliveries["wecom"]["delivered"]
    assert_failed_and_rescheduled(
        deliveries["broken"], f"POST http://127.0.0.1:{broken.port}: ", detail
    )
    assert "secret-path" not in deliveries["broken"]["detail"]  # robots' keys stay out


def test_an_alert_with_line_breaks_is_mailed_on_one_subject_line(
    conn: Connection, loaded_site: SiteFile, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    raise_alert(conn, loaded_site.site.id, "Load moment alarm\r\nBcc: intruder@evil.test\n")
    text = config_text(
        {
            "mail": "{type: email, to: [pm@test.local]}",
            "hook": f'{{type: webhook, url: "{http.url("/webhook")}", secret: {SECRET}}}',
        },
        smtp=f"{{host: 127.0.0.1, port: {smtp.port}, sender: sitepulse@test.local}}",
    )
    assert deliver(conn, text) == (2, 0)
    [mail] = smtp.messages
    assert str(mail["Subject"]).strip() == (
        f"{loaded_site.site.id}: [CRITICAL] Load moment alarm Bcc: intruder@evil.test"
    )
    assert mail["Bcc"] is None
    assert smtp.recipients == [["pm@test.local"]]
    assert "alarm\r\nBcc: intruder@evil.test" in mail.get_content()  # the body: only text
    # the JSON body carries the text as it is; only headers are made one line
    [hook] = http.at("/webhook")
    assert hook.body["alert"]["title"] == "Load moment alarm\r\nBcc: intruder@evil.test\n"


def test_a_notice_that_cannot_be_made_backs_off_and_gives_up(
    conn: Connection, loaded_site: SiteFile, http: HttpReceiver
) -> None:
    lost = f"{loaded_site.site.id}-lost"
    conn.execute(
        "INSERT INTO sites (id, name, timezone) VALUES (%s, 'Lost', 'Mars/Olympus_Mons')",
        (lost,),
    )
    raise_alert(conn, lost)
    raise_alert(conn, loaded_site.site.id)
    text = config_text({"wecom": f'{{type: wecom, url: "{http.url("/wecom")}?key=k-1"}}'})
    assert deliver(conn, text) == (1, 1)
    assert len(http.at("/wecom")) == 1
    [(attempts, error, wait_s)] = rows(
        conn,
        "SELECT attempts, last_error, extract(epoch FROM next_attempt_at - now())"
        " FROM deliveries WHERE delivered_at IS NULL",
    )
    assert attempts == 1
    assert error == (
        "cannot make the notice: ZoneInfoNotFoundError: "
        "'No time zone found with key Mars/Olympus_Mons'"
    )
    assert 0 < wait_s <= 1  # the first backoff
    assert deliver(conn, text, again=True) == (0, 1)
    assert deliver(conn, text, again=True) == (0, 1)
    assert deliver(conn, text, again=True) == (0, 0)
    given_up = "SELECT attempts FROM deliveries WHERE failed_at IS NOT NULL"
    assert rows(conn, given_up) == [(MAX_ATTEMPTS,)]
    assert len(http.at("/wecom")) == 1


@pytest.mark.parametrize("smtps", [False, True], ids=["starttls", "smtps"])
def test_a_mail_server_is_trusted_only_with_its_ca(
    conn: Connection,
    loaded_site: SiteFile,
    http: HttpReceiver,
    certificates: Certificates,
    smtps: bool,
) -> None:
    tls = "smtps: true" if smtps else "starttls: true"
    channels = {
        "mail": "{type: email, to: [pm@test.local]}",
        "wecom": f'{{type: wecom, url: "{http.url("/wecom")}?key=k-1"}}',
    }
    with serving(SmtpReceiver(free_port(), tls=certificates.server_context(), smtps=smtps)) as smtp:
        server = f"{{host: 127.0.0.1, port: {smtp.port}, sender: sitepulse@test.local, {tls}}}"
        raise_alert(conn, loaded_site.site.id)
        assert deliver(conn, config_text(channels, smtp=server)) == (1, 1)
        assert smtp.messages == []
        deliveries = state(conn)
        assert deliveries["wecom"]["delivered"]
        assert_failed_and_rescheduled(
            deliveries["mail"],
            f"SMTP 127.0.0.1:{smtp.port}: ",
            "certificate verify failed",
            "`ca_file`",
        )
        trusted = config_text(channels, smtp=server, ca_file=certificates.ca)
        assert deliver(conn, trusted, again=True) == (1, 0)
    assert len(smtp.messages) == 1
    assert state(conn)["mail"]["delivered"]


def test_an_https_webhook_is_trusted_only_with_its_ca(
    conn: Connection, loaded_site: SiteFile, smtp: SmtpReceiver, certificates: Certificates
) -> None:
    server = f"{{host: 127.0.0.1, port: {smtp.port}, sender: sitepulse@test.local}}"
    with serving(HttpReceiver(free_port(), tls=certificates.server_context())) as https:
        channels = {
            "hook": f'{{type: webhook, url: "{https.url("/webhook")}", secret: {SECRET}}}',
            "mail": "{type: email, to: [pm@test.local]}",
        }
        raise_alert(conn, loaded_site.site.id)
        assert deliver(conn, config_text(channels, smtp=server)) == (1, 1)
        assert https.received == []
        assert len(smtp.messages) == 1
        assert_failed_and_rescheduled(
            state(conn)["hook"],
            f"POST https://127.0.0.1:{https.port}: ",
            "certificate verify failed",
        )
        trusted = config_text(channels, smtp=server, ca_file=certificates.ca)
        assert deliver(conn, trusted, again=True) == (1, 0)
    assert len(https.at("/webhook")) == 1
