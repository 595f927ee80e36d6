"""Sending: one due delivery at a time, locked while it is attempted, every attempt
recorded. A failure retries with backoff (1 s doubling to 5 min) until max attempts.
Whatever goes wrong with one delivery is that delivery's failure, never the notifier's:
a receiver answering garbage or an alert no message can be made of must not hold up
the deliveries behind it."""

from __future__ import annotations

import http.client
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.db import Connection
from core.errors import first_line
from core.sql import load_queries
from rules.notify.channels import Notice, accepted, email_message, http_request
from rules.notify.config import DingTalk, Email, Feishu, NotifyConfig, Webhook, WeCom, tls_context

_Q = load_queries("rules.notify", "notify.sql")
log = logging.getLogger(__name__)
TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status: int | None
    detail: str


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


def deliver_due(
    conn: Connection,
    config: NotifyConfig,
    max_attempts: int,
    limit: int = 100,
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
) -> tuple[int, int]:
    """Attempt due deliveries, one transaction each and each at most once; returns
    (delivered, failed attempts)."""
    delivered = failed = 0
    tried: list[int] = []
    for _ in range(limit):
        with conn.transaction(), conn.cursor() as cur:
            row = cur.execute(_Q["due_delivery"], {"tried": tried}).fetchone()
            if row is None:
                break
            delivery, route, channel_name, attempts, *rest = row
            tried.append(delivery)
            started = time.perf_counter()
            try:
                notice = _notice(delivery, rest)
            except Exception as exc:  # e.g. a time zone this host lacks
                outcome = Outcome(False, None, f"cannot make the notice: {_why(exc)}")
            else:
                outcome = send(config, channel_name, notice, clock())
            elapsed_ms = (time.perf_counter() - started) * 1000
            cur.execute(
                _Q["attempt"],
                {
                    "id": delivery,
                    "ok": outcome.ok,
                    "status": outcome.status,
                    "detail": outcome.detail[:500],
                    "elapsed_ms": elapsed_ms,
                },
            )
            if outcome.ok:
                cur.execute(_Q["delivered"], {"id": delivery})
                delivered += 1
                continue
            failed += 1
            cur.execute(
                _Q["retry"],
                {
                    "id": delivery,
                    "error": outcome.detail[:500],
                    "delay": backoff(attempts + 1),
                    "max_attempts": max_attempts,
                },
            )
            gave_up = (cur.fetchone() or (False,))[0]
            log.warning(
                "delivery %s (%s via %s) failed%s: %s",
                delivery,
                route,
                channel_name,
                " for good" if gave_up else ", will retry",
                outcome.detail,
            )
    return delivered, failed


def send(config: NotifyConfig, channel_name: str, notice: Notice, now: datetime) -> Outcome:
    """Never raises: what went wrong, building the message, sending it or reading the
    answer, is the outcome's detail."""
    channel = config.channels.get(channel_name)
    if channel is None:
        return Outcome(False, None, f"channel {channel_name!r} is no longer configured")
    if isinstance(channel, Email):
        return _send_email(config, channel, notice)
    return _post(config, channel, notice, now)


def _send_email(config: NotifyConfig, channel: Email, notice: Notice) -> Outcome:
    smtp = config.smtp
    assert smtp is not None  # checked when the file was loaded
    try:
        message = email_message(channel, smtp, notice)
    except Exception as exc:
        return Outcome(False, None, f"cannot make the e-mail: {_why(exc)}")
    try:
        context = tls_context(config.ca_file)
        client = (
            smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S, context=context)
            if smtp.smtps
            else smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S)
        )
        with client:
            if smtp.starttls:
                client.starttls(context=context)
            if smtp.username and smtp.password:
                client.login(smtp.username, smtp.password.get_secret_value())
            refused = client.send_message(message)
    except Exception as exc:
        code = getattr(exc, "smtp_code", None)
        return Outcome(False, code, f"SMTP {smtp.host}:{smtp.port}: {_why(exc)}")
    if refused:
        return Outcome(False, None, f"SMTP refused {sorted(refused)}")
    return Outcome(True, 250, "sent")


def _post(
    config: NotifyConfig,
    channel: Webhook | WeCom | DingTalk | Feishu,
    notice: Notice,
    now: datetime,
) -> Outcome:
    try:
        request = http_request(channel, notice, now)
        # S310: the URL is from the notification file, which admits http(s) only
        post = urllib.request.Request(request.url, request.body, request.headers, method="POST")  # noqa: S310
        # the origin only: robots carry their keys in the path or the query
        where = f"POST {post.type}://{post.host.rpartition('@')[2]}"
    except Exception as exc:
        return Outcome(False, None, f"cannot make the request: {_why(exc)}")
    try:
        status, body = _exchange(post, tls_context(config.ca_file))
    except Exception as exc:
        return Outcome(False, None, f"{where}: {_why(exc)}")
    why = accepted(channel, status, body)
    return Outcome(why is None, status, why or "accepted")


def _exchange(request: urllib.request.Request, context: ssl.SSLContext) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S, context=context) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def _why(exc: BaseException) -> str:
    """The exception's kind and first line, and what to do where that is known."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason  # "<urlopen error ...>" says less than what it wraps
    text = first_line(exc)
    name = type(exc).__name__
    why = text if text.startswith(name) else f"{name}: {text}"
    if isinstance(exc, http.client.HTTPException):
        why = f"a broken HTTP answer: {why}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        why += "; if its certificate is from a private CA, name that CA in `ca_file`"
    return why


def _notice(delivery: int, row: list[object]) -> Notice:
    (
        event_id,
        kind,
        level,
        actor,
        note,
        at,
        alert_id,
        site,
        rule,
        subject,
        state,
        severity,
        title,
        message,
        floor,
        zone,
        value,
        raised_at,
        timezone,
    ) = row
    tz = ZoneInfo(str(timezone))
    assert isinstance(at, datetime)
    assert isinstance(raised_at, datetime)
    return Notice(
        delivery_id=delivery,
        event_id=int(str(event_id)),
        event=str(kind),
        level=int(str(level)),
        actor=str(actor),
        note=None if note is None else str(note),
        at=at.astimezone(tz),
        alert_id=int(str(alert_id)),
        site=str(site),
        rule=str(rule),
        subject=str(subject),
        state=str(state),
        severity=str(severity),
        title=str(title),
        message=str(message),
        floor=None if floor is None else str(floor),
        zone=None if zone is None else str(zone),
        value=None if value is None else float(str(value)),
        raised_at=raised_at.astimezone(tz),
    )
