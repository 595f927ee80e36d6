"""The notification file: channels (with their secrets), routes by site, severity and
floor, and the escalation delays. YAML, validated, each problem named with its line."""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator

from core.errors import NotifyConfigInvalid, first_line
from core.yaml_file import Problem, YamlModel
from rules.model import Duration, Severity

HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Webhook(_Strict):
    """A JSON POST signed with HMAC-SHA256 over `{timestamp}.{body}` (X-SitePulse-Signature)."""

    type: Literal["webhook"]
    url: HttpUrl
    secret: SecretStr | None = None


class WeCom(_Strict):
    """A WeCom (企业微信) group robot: its webhook URL carries the key."""

    type: Literal["wecom"]
    url: HttpUrl


class DingTalk(_Strict):
    """A DingTalk (钉钉) group robot; with `secret`, requests are signed (加签)."""

    type: Literal["dingtalk"]
    url: HttpUrl
    secret: SecretStr | None = None


class Feishu(_Strict):
    """A Feishu / Lark (飞书) custom bot; with `secret`, requests are signed (签名校验)."""

    type: Literal["feishu"]
    url: HttpUrl
    secret: SecretStr | None = None


class Email(_Strict):
    type: Literal["email"]
    to: Annotated[list[str], Field(min_length=1)]


Channel = Annotated[Webhook | WeCom | DingTalk | Feishu | Email, Field(discriminator="type")]


class Smtp(_Strict):
    host: str
    port: int = 25
    sender: str
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    smtps: bool = False  # TLS from the first byte, usually port 465


class Route(_Strict):
    """Which alerts go where: empty filters match all. `levels[0]` hears of every
    transition; `levels[k]` is told when the alert is still unacknowledged after the
    k-th escalation delay, and then of its acknowledgement and resolution."""

    name: str
    sites: list[str] = []
    severities: list[Severity] = []
    floors: list[int] = []
    levels: Annotated[list[list[str]], Field(min_length=1)]

    def matches(self, site: str, severity: str, floor: int | None) -> bool:
        return (
            (not self.sites or site in self.sites)
            and (not self.severities or severity in self.severities)
            and (not self.floors or floor in self.floors)
        )


class NotifyConfig(_Strict):
    smtp: Smtp | None = None
    ca_file: Path | None = None  # a private CA, trusted besides the system's
    escalation: list[Duration] = []
    channels: dict[str, Channel] = {}
    routes: list[Route] = []

    def escalation_level(self, unanswered: timedelta) -> int:
        return sum(1 for delay in self.escalation if unanswered >= delay)

    @field_validator("ca_file")
    @classmethod
    def _loadable(cls, path: Path | None) -> Path | None:
        if path is None:
            return None
        if not path.is_absolute():
            msg = f"{path}: give an absolute path, not one relative to where the service runs"
            raise ValueError(msg)
        try:
            tls_context(path)
        except OSError as exc:  # ssl.SSLError is one: a file without a PEM certificate
            msg = f"{path}: not a readable PEM file of CA certificates ({first_line(exc)})"
            raise ValueError(msg) from None
        return path


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificates and host names verified against the system's CAs and `ca_file`'s."""
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    return context


def _check(config: NotifyConfig) -> list[Problem]:
    problems = []
    if list(config.escalation) != sorted(set(config.escalation)):
        problems.append(Problem(("escalation",), "delays must increase: level 1 first"))
    for i, route in enumerate(config.routes):
        if len(route.levels) > len(config.escalation) + 1:
            problems.append(
                Problem(
                    ("routes", i, "levels"),
                    f"{len(route.levels)} levels but {len(config.escalation)} escalation delay(s)",
                )
            )
        for level, names in enumerate(route.levels):
            for j, name in enumerate(names):
                if name not in config.channels:
                    known = ", ".join(config.channels) or "none"
                    problems.append(
                        Problem(
                            ("routes", i, "levels", level, j),
                            f"unknown channel {name!r} (known: {known})",
                        )
                    )
    if config.smtp is not None and config.smtp.starttls and config.smtp.smtps:
        problems.append(
            Problem(("smtp",), "`starttls` (port 587) or `smtps` (port 465): one, not both")
        )
    if config.smtp is None:
        for name, channel in config.channels.items():
            if isinstance(channel, Email):
                problems.append(Problem(("channels", name), "an email channel needs `smtp`"))
    return problems


NOTIFY_FILE = YamlModel(NotifyConfig, NotifyConfigInvalid, _check)


def parse_notify_config(text: str, source: str) -> NotifyConfig:
    return NOTIFY_FILE.parse(text, source)


def load_notify_config(path: Path | None) -> NotifyConfig:
    if path is None:
        return NotifyConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotifyConfigInvalid(f"{path}: cannot read: {exc}") from None
    return parse_notify_config(text, str(path))
