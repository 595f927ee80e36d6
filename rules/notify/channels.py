"""What each channel is sent: a notice rendered for it, and the signed HTTP request or
e-mail. Pure: the clock is a parameter; the sending is in deliver.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from rules.notify.config import DingTalk, Email, Feishu, Smtp, Webhook, WeCom

SUBJECT_MAX = 200
HEADER_MAX = 998  # RFC 5322's longest line
# C0, DEL, C1, and the line and paragraph separators str.splitlines() also breaks on
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class Notice:
    """One transition of one alert, as people read it."""

    delivery_id: int
    event_id: int
    event: str  # opened, reopened, acknowledged, resolved, escalated
    level: int
    actor: str
    note: str | None
    at: datetime
    alert_id: int
    site: str
    rule: str
    subject: str
    state: str
    severity: str
    title: str
    message: str
    floor: str | None
    zone: str | None
    value: float | None
    raised_at: datetime

    @property
    def headline(self) -> str:
        what = {
            "opened": "",
            "reopened": " (again)",
            "escalated": f" (escalated, level {self.level}: not acknowledged)",
            "acknowledged": f": acknowledged by {self.actor}",
            "resolved": f": resolved by {self.actor}",
        }.get(self.event, f": {self.event}")
        return f"[{self.severity.upper()}] {self.title}{what}"

    def text(self) -> str:
        where = " · ".join(p for p in (self.site, self.floor, self.zone) if p)
        lines = [self.headline, self.message, where]
        if self.note and self.event in ("acknowledged", "resolved"):
            lines.append(f"Note: {self.note}")
        lines.append(f"Alert #{self.alert_id} · {self.state} · {self.at:%Y-%m-%d %H:%M:%S %Z}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "event": self.event,
            "event_id": self.event_id,
            "level": self.level,
            "actor": self.actor,
            "note": self.note,
            "at": self.at.isoformat(),
            "alert": {
                "id": self.alert_id,
                "site": self.site,
                "rule": self.rule,
                "subject": self.subject,
                "state": self.state,
                "severity": self.severity,
                "title": self.title,
                "message": self.message,
                "floor": self.floor,
                "zone": self.zone,
                "value": self.value,
                "raised_at": self.raised_at.isoformat(),
            },
        }


@dataclass(frozen=True, slots=True)
class HttpRequest:
    url: str
    headers: dict[str, str]
    body: bytes


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot 加签: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu bot 签名校验: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=""))."""
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def header_value(text: str, limit: int = HEADER_MAX) -> str:
    """One line for a mail or HTTP header: an alert's text can carry a line break, which
    would end the header and start another (or make the message impossible to build)."""
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def http_request(
    channel: Webhook | WeCom | DingTalk | Feishu, notice: Notice, now: datetime
) -> HttpRequest:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    text = notice.text()
    url = channel.url
    payload: dict[str, object]
    if isinstance(channel, Webhook):
        body = _json(notice.as_json())
        stamp = int(now.timestamp())
        headers["X-SitePulse-Event"] = notice.event
        headers["X-SitePulse-Delivery"] = str(notice.delivery_id)
        headers["X-SitePulse-Timestamp"] = str(stamp)
        if channel.secret is not None:
            headers["X-SitePulse-Signature"] = webhook_signature(
                channel.secret.get_secret_value(), stamp, body
            )
        return HttpRequest(url, _headers(headers), body)
    if isinstance(channel, WeCom):
        payload = {"msgtype": "markdown", "markdown": {"content": _markdown(notice)}}
    elif isinstance(channel, DingTalk):
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": notice.headline, "text": _markdown(notice)},
        }
        if channel.secret is not None:
            stamp_ms = int(now.timestamp() * 1000)
            sign = dingtalk_sign(channel.secret.get_secret_value(), stamp_ms)
            query = urllib.parse.urlencode({"timestamp": stamp_ms, "sign": sign})
            url += ("&" if "?" in url else "?") + query
    else:
        payload = {"msg_type": "text", "content": {"text": text}}
        if channel.secret is not None:
            stamp_s = int(now.timestamp())
            payload = {
                "timestamp": str(stamp_s),
                "sign": feishu_sign(channel.secret.get_secret_value(), stamp_s),
                **payload,
            }
    return HttpRequest(url, _headers(headers), _json(payload))


def email_message(channel: Email, smtp: Smtp, notice: Notice) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = header_value(f"{notice.site}: {notice.headline}", SUBJECT_MAX)
    message["From"] = header_value(smtp.sender)
    message["To"] = ", ".join(header_value(address) for address in channel.to)
    message["Date"] = format_datetime(notice.at)
    message["Message-ID"] = make_msgid(f"sitepulse.delivery{notice.delivery_id}")
    message["X-SitePulse-Delivery"] = str(notice.delivery_id)
    message.set_content(notice.text())
    return message


def accepted(channel: Webhook | WeCom | DingTalk | Feishu, status: int, body: bytes) -> str | None:
    """None when the receiver took it; otherwise why not. The robots answer HTTP 200
    with an error code in the body (errcode for WeCom and DingTalk, code for Feishu)."""
    if not 200 <= status < 300:
        return f"HTTP {status}: {body[:200].decode(errors='replace')}"
    if isinstance(channel, Webhook):
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200].decode(errors='replace')}"
    field = "code" if isinstance(channel, Feishu) else "errcode"
    code = answer.get(field, answer.get("StatusCode")) if isinstance(answer, dict) else None
    if code == 0:
        return None
    why = (answer.get("msg") or answer.get("errmsg")) if isinstance(answer, dict) else answer
    return f"{field}={code}: {why}"


def _headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: header_value(value) for name, value in headers.items()}


def _markdown(notice: Notice) -> str:
    lines = notice.text().splitlines()
    return "\n".join([f"**{lines[0]}**", *(f"> {line}" for line in lines[1:])])


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
