"""MQTT topics of CONTRACT §1: `site/{site}/{kind}/{device}/telemetry|status`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from core.kinds import DEVICE_KINDS, DeviceKind

Channel = Literal["telemetry", "status"]
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # use with fullmatch


class BadTopic(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Topic:
    site: str
    kind: DeviceKind
    device: str
    channel: Channel

    @classmethod
    def parse(cls, topic: str) -> Topic:
        parts = topic.split("/")
        if len(parts) != 5 or parts[0] != "site":
            msg = f"topic {topic!r} is not site/{{site}}/{{kind}}/{{device}}/telemetry|status"
            raise BadTopic(msg)
        _, site, kind, device, channel = parts
        for label, value in (("site", site), ("device", device)):
            if not ID_PATTERN.fullmatch(value):
                msg = f"{label} id {value!r} in the topic is not 1-64 of A-Z a-z 0-9 _ -"
                raise BadTopic(msg)
        if kind not in DEVICE_KINDS:
            msg = f"unknown kind {kind!r} in the topic (expected one of {', '.join(DEVICE_KINDS)})"
            raise BadTopic(msg)
        if channel not in ("telemetry", "status"):
            msg = f"unknown channel {channel!r} in the topic (expected telemetry or status)"
            raise BadTopic(msg)
        return cls(site, kind, device, channel)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"site/{self.site}/{self.kind}/{self.device}/{self.channel}"


def site_of(topic: str) -> str | None:
    """The site id of a topic that may be malformed otherwise, for filing its dead letter."""
    parts = topic.split("/", 2)
    if len(parts) >= 2 and parts[0] == "site" and ID_PATTERN.fullmatch(parts[1]):
        return parts[1]
    return None


def telemetry_topic(site: str, kind: DeviceKind, device: str) -> str:
    return f"site/{site}/{kind}/{device}/telemetry"


def status_topic(site: str, kind: DeviceKind, device: str) -> str:
    return f"site/{site}/{kind}/{device}/status"
