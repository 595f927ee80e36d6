"""The notification file, routing of events to channels, and each channel's request."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from core.errors import NotifyConfigInvalid
from rules.notify.channels import (
    SUBJECT_MAX,
    Notice,
    accepted,
    email_message,
    header_value,
    http_request,
    webhook_signature,
)
from rules.notify.config import (
    Email,
    Feishu,
    Smtp,
    WeCom,
    load_notify_config,
    parse_notify_config,
)
from rules.notify.outbox import channels_for

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CONFIG = """\
escalation: [5m, 15m]
channels:
  hook: {type: webhook, url: "http://127.0.0.1:9/hook", secret: s3cret}
  ding: {type: dingtalk, url: "http://127.0.0.1:9/robot/send?access_token=t", secret: s3cret}
  lark: {type: feishu, url: "http://127.0.0.1:9/lark", secret: s3cret}
  wecom: {type: wecom, url: "http://127.0.0.1:9/wecom?key=k"}
routes:
  - {name: safety, severities: [critical], levels: [[wecom], [ding], [lark]]}
  - {name: all, levels: [[hook]]}
  - {name: tower-b, sites: [tower-b], levels: [[hook, lark]]}
"""
NOTICE = Notice(
    delivery_id=7,
    event_id=3,
    event="opened",
    level=0,
    actor="rules",
    note=None,
    at=NOW,
    alert_id=12,
    site="tower-a",
    rule="crane.wind.stop_lifting",
    subject="tc-1",
    state="active",
    severity="critical",
    title="Wind too strong for lifting",
    message="tc-1: wind 13.2 m/s",
    floor=None,
    zone=None,
    value=13.2,
    raised_at=NOW,
)


def test_the_example_file_is_valid() -> None:
    config = load_notify_config(REPO / "deploy/notify.example.yaml")
    assert len(config.routes) == 2
    assert config.escalation_level(datetime(2026, 1, 1, 0, 6) - datetime(2026, 1, 1)) == 1


BAD = [
    (
        "levels: [[hook]]",
        "levels: [[hook, pager]]",
        "n.yaml:9: routes[1].levels[0][1]: unknown channel 'pager'",
    ),
    (
        "escalation: [5m, 15m]",
        "escalation: [15m, 5m]",
        "n.yaml:1: escalation: delays must increase",
    ),
    (
        'url: "http://127.0.0.1:9/hook"',
        'url: "ftp://x/hook"',
        "n.yaml:3: channels.hook.webhook.url",
    ),
    ("type: feishu", "type: slack", "n.yaml:5: channels.lark: Input tag 'slack'"),
    (
        "levels: [[wecom], [ding], [lark]]",
        "levels: [[wecom], [ding], [lark], [hook]]",
        "n.yaml:8: routes[0].levels: 4 levels but 2 escalation delay(s)",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD)
def test_a_bad_file_names_the_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(NotifyConfigInvalid) as refused:
        parse_notify_config(CONFIG.replace(old, new), "n.yaml")
    assert expected in str(refused.value), str(refused.value)


def test_an_email_channel_needs_smtp() -> None:
    text = CONFIG.replace("channels:\n", "channels:\n  mail: {type: email, to: [a@b.c]}\n")
    with pytest.raises(NotifyConfigInvalid, match=r"channels\.mail: an email channel needs `smtp`"):
        parse_notify_config(text, "n.yaml")


def test_each_event_reaches_the_levels_it_should() -> None:
    config = parse_notify_config(CONFIG, "n.yaml")

    def send(
        kind: str, level: int = 0, reached: int = 0, severity: str = "critical"
    ) -> list[tuple[str, str]]:
        return channels_for(config, kind, level, "tower-a", severity, 12, reached)

    assert send("opened") == [("safety", "wecom"), ("all", "hook")]
    assert send("opened", severity="minor") == [("all", "hook")]
    assert send("escalated", level=1) == [("safety", "ding")]
    assert send("escalated", level=2) == [("safety", "lark")]
    assert send("acknowledged", reached=1) == [
        ("safety", "wecom"),
        ("safety", "ding"),
        ("all", "hook"),
    ]
    assert send("commented") == []
    assert channels_for(config, "opened", 0, "tower-b", "minor", None, 0) == [
        ("all", "hook"),
        ("tower-b", "hook"),
        ("tower-b", "lark"),
    ]


def test_the_signed_requests() -> None:
    config = parse_notify_config(CONFIG, "n.yaml")
    channels = {name: c for name, c in config.channels.items() if not isinstance(c, Email)}
    hook = http_request(channels["hook"], NOTICE, NOW)
    stamp = int(NOW.timestamp())
    assert hook.headers["X-SitePulse-Timestamp"] == str(stamp)
    assert hook.headers["X-SitePulse-Signature"] == webhook_signature("s3cret", stamp, hook.body)
    assert json.loads(hook.body)["alert"]["value"] == 13.2
    ding = http_request(channels["ding"], NOTICE, NOW)
    query = parse_qs(urlsplit(ding.url).query)
    assert query["access_token"] == ["t"]
    assert query["timestamp"] == [str(stamp * 1000)]
    assert len(query["sign"][0]) == 44  # base64 of a SHA-256 HMAC
    lark = json.loads(http_request(channels["lark"], NOTICE, NOW).body)
    assert lark["timestamp"] == str(stamp)
    assert lark["msg_type"] == "text"
    assert lark["content"]["text"].startswith(
        "[CRITICAL] Wind too strong for lifting\ntc-1: wind 13.2 m/s"
    )


def test_robots_answer_errors_in_the_body() -> None:
    config = parse_notify_config(CONFIG, "n.yaml")
    wecom, lark = config.channels["wecom"], config.channels["lark"]
    assert isinstance(wecom, WeCom)
    assert isinstance(lark, Feishu)
    assert accepted(wecom, 200, b'{"errcode":0,"errmsg":"ok"}') is None
    assert accepted(wecom, 200, b'{"errcode":45009,"errmsg":"api freq out of limit"}') == (
        "errcode=45009: api freq out of limit"
    )
    assert (
        accepted(lark, 200, b'{"code":19021,"msg":"sign match fail"}')
        == "code=19021: sign match fail"
    )
    assert accepted(lark, 503, b"busy") == "HTTP 503: busy"


def test_a_header_value_is_one_bounded_line() -> None:
    assert header_value("Crane\r\nBcc: x@evil.test") == "Crane Bcc: x@evil.test"
    assert header_value("a\x00b\tc\x7fd\x85e\u2028f\u2029g\x1b[31m") == "a b c d e f g [31m"
    assert header_value(" 塔吊 力矩报警\n") == "塔吊 力矩报警"
    assert header_value("x" * 300, 200) == "x" * 197 + "..."
    assert len(header_value("y " * 1000)) == 998


def test_an_alert_with_line_breaks_makes_a_mail_with_one_subject_line() -> None:
    notice = replace(NOTICE, title="Wind\r\nBcc: intruder@evil.test\r\n" + "gust " * 100)
    smtp = Smtp(host="127.0.0.1", sender="sitepulse@test.local\r\nCc: x@evil.test")
    message = email_message(Email(type="email", to=["pm@test.local\n"]), smtp, notice)
    subject = str(message["Subject"])
    assert subject.startswith("tower-a: [CRITICAL] Wind Bcc: intruder@evil.test gust")
    assert len(subject) <= SUBJECT_MAX
    assert message["To"] == "pm@test.local"
    head = message.as_bytes().split(b"\n\n", 1)[0]
    assert not re.search(rb"^(Bcc|Cc):", head, re.MULTILINE | re.IGNORECASE), head


SMTP = "smtp: {host: 127.0.0.1, sender: sitepulse@test.local, starttls: true}\n"


def test_a_private_ca_is_checked_when_the_file_is_loaded(tmp_path: Path) -> None:
    pem = tmp_path / "ca.pem"
    pem.write_text("not a certificate\n", encoding="utf-8")
    for ca_file, expected in [
        ("ca.pem", "n.yaml:1: ca_file: ca.pem: give an absolute path"),
        (tmp_path / "missing.pem", "missing.pem: not a readable PEM file of CA certificates"),
        (pem, "ca.pem: not a readable PEM file of CA certificates ([X509: NO_CERTIFICATE"),
    ]:
        with pytest.raises(NotifyConfigInvalid) as refused:
            parse_notify_config(f"ca_file: {ca_file}\n" + SMTP + CONFIG, "n.yaml")
        assert expected in str(refused.value), str(refused.value)


def test_starttls_and_smtps_are_one_or_the_other() -> None:
    both = SMTP.replace("starttls: true", "starttls: true, smtps: true, port: 465")
    with pytest.raises(NotifyConfigInvalid, match=r"n\.yaml:1: smtp: `starttls` .* one, not both"):
        parse_notify_config(both + CONFIG, "n.yaml")
