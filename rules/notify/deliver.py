"""Sending: one due delivery at a time, locked while it is attempted, every attempt
recorded. A failure retries with backoff (1 s doubling to 5 min) until max attempts."""

from __future__ import annotations

import logging
import smtplib
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
from rules.notify.config import Email, NotifyConfig

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
    """Attempt due deliveries, one transaction each; returns (delivered, failed attempts)."""
    delivered = failed = 0
    for _ in range(limit):
        with conn.transaction(), conn.cursor() as cur:
            row = cur.execute(_Q["due_delivery"]).fetchone()
            if row is None:
                break
            delivery, route, channel_name, attempts, *rest = row
            notice = _notice(delivery, rest)
            started = time.perf_counter()
            outcome = send(config, channel_name, notice, clock())
            elapsed_ms = (time.perf_counter() - started) * 1000
            cur.execute(
                _Q["attempt"],
                {"id": delivery, "ok": outcome.ok, "status": outcome.status,
                 "detail": outcome.detail[:500], "elapsed_ms": elapsed_ms},
            )  # fmt: skip
            if outcome.ok:
                cur.execute(_Q["delivered"], {"id": delivery})
                delivered += 1
                continue
            failed += 1
            cur.execute(
                _Q["retry"],
                {"id": delivery, "error": outcome.detail[:500],
                 "delay": backoff(attempts + 1), "max_attempts": max_attempts},
            )  # fmt: skip
            gave_up = (cur.fetchone() or (False,))[0]
            log.warning(
                "delivery %s (%s via %s) failed%s: %s", delivery, route, channel_name,
                " for good" if gave_up else ", will retry", outcome.detail,
            )  # fmt: skip
    return delivered, failed


def send(config: NotifyConfig, channel_name: str, notice: Notice, now: datetime) -> Outcome:
    channel = config.channels.get(channel_name)
    if channel is None:
        return Outcome(False, None, f"channel {channel_name!r} is no longer configured")
    if isinstance(channel, Email):
        assert config.smtp is not None  # checked when the file was loaded
        smtp = config.smtp
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S) as client:
                if smtp.starttls:
                    client.starttls()
                if smtp.username and smtp.password:
                    client.login(smtp.username, smtp.password.get_secret_value())
                refused = client.send_message(email_message(channel, smtp, notice))
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome(False, getattr(exc, "smtp_code", None), f"SMTP: {first_line(exc)}")
        if refused:
            return Outcome(False, None, f"SMTP refused {sorted(refused)}")
        return Outcome(True, 250, "sent")
    request = http_request(channel, notice, now)
    # S310: the URL is from the notification file, which admits http(s) only
    http = urllib.request.Request(request.url, request.body, request.headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(http, timeout=TIMEOUT_S) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (OSError, ValueError) as exc:
        return Outcome(False, None, first_line(exc))
    why = accepted(channel, status, body)
    return Outcome(why is None, status, why or "accepted")


def _notice(delivery: int, row: list[object]) -> Notice:
    (event_id, kind, level, actor, note, at, alert_id, site, rule, subject, state,
     severity, title, message, floor, zone, value, raised_at, timezone) = row  # fmt: skip
    tz = ZoneInfo(str(timezone))
    assert isinstance(at, datetime)
    assert isinstance(raised_at, datetime)
    return Notice(
        delivery_id=delivery, event_id=int(str(event_id)), event=str(kind),
        level=int(str(level)), actor=str(actor), note=None if note is None else str(note),
        at=at.astimezone(tz), alert_id=int(str(alert_id)), site=str(site), rule=str(rule),
        subject=str(subject), state=str(state), severity=str(severity), title=str(title),
        message=str(message), floor=None if floor is None else str(floor),
        zone=None if zone is None else str(zone),
        value=None if value is None else float(str(value)), raised_at=raised_at.astimezone(tz),
    )  # fmt: skip
