"""From one MQTT message to rows, dead letters and status changes: pure, no I/O.

Whatever a message holds, decoding it ends in rows, dead letters or status changes, never
in an exception: every string that reaches the database is checked or made printable and
bounded first (core/text.py), and an unforeseen failure refuses the message whole."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.kinds import READING_KINDS, ReadingKind
from core.settings import Settings
from core.text import fingerprint, printable
from core.topics import ID_PATTERN, BadTopic, Topic, site_of
from core.wire import MAX_BATCH, BadReading, reading_time, validate_reading
from ingest.registry import Device, Registry
from ingest.rows import MEASUREMENT_COLUMNS, Row
from ingest.typed_json import fast_rows

log = logging.getLogger(__name__)


# A message may be refused item by item; past this many letters the rest are counted in
# one more letter, so that 10,000 bad readings make 101 rows, not 10,000.
MAX_LETTERS = 100
MORE_ITEM = "[...]"
# A status is one word; a longer payload is refused before it is parsed.
MAX_STATUS_BYTES = 256
_MAX_REASON = 1000
_MAX_ITEM = 48


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_payload_bytes: int = 4 * 1024 * 1024
    # how far back a reading's ts may be, per kind (None: back to 2000-01-01)
    oldest: Mapping[ReadingKind, timedelta | None] = field(
        default_factory=lambda: dict.fromkeys(READING_KINDS)
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> DecodeLimits:
        # A reading older than its kind's raw retention would be dropped at the next
        # retention run: refused as a dead letter it is kept, visible and replayable; and
        # one message cannot make the database create chunks back to the year 2000.
        days = settings.retention_days
        return cls(
            max_payload_bytes=settings.ingest_max_payload_bytes,
            oldest={k: timedelta(days=days[k]) if days.get(k) else None for k in READING_KINDS},
        )


DEFAULT_LIMITS = DecodeLimits()


@dataclass(slots=True)
class DeadLetter:
    topic: str
    site_id: str | None
    item: str
    reason: str
    received_at: datetime


@dataclass(slots=True)
class StatusChange:
    device_id: str
    site_id: str
    kind: str
    online: bool
    received_at: datetime
    retained: bool


@dataclass(slots=True)
class Decoded:
    topic: str
    payload: bytes
    received_at: datetime
    rows: dict[ReadingKind, list[Row]] = field(
        default_factory=lambda: {"crane": [], "tag": [], "env": []}
    )
    dead: list[DeadLetter] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)
    gateway: Device | None = None
    # over the size limit: its dead letter keeps the first bytes, its size and its hash
    oversize: bool = False
    refused_beyond_cap: int = 0

    @property
    def reading_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    @property
    def refused_items(self) -> int:
        letters = len(self.dead) - (1 if self.dead and self.dead[-1].item == MORE_ITEM else 0)
        return letters + self.refused_beyond_cap

    def refuse(self, reason: str, item: str = "", site_id: str | None = None) -> None:
        if len(self.dead) >= MAX_LETTERS:
            self.refused_beyond_cap += 1
            return
        topic, reason = printable(self.topic, 300), printable(reason, _MAX_REASON)
        self.dead.append(DeadLetter(topic, site_id, item, reason, self.received_at))

    def refuse_whole(self, reason: str, site_id: str | None) -> None:
        """The message as a whole: nothing it held is stored."""
        self.rows = {"crane": [], "tag": [], "env": []}
        self.statuses = []
        self.dead = []
        self.refused_beyond_cap = 0
        self.refuse(reason, "", site_id)

    def close_letters(self) -> None:
        """One letter more for the items refused beyond the cap, if any."""
        if not self.refused_beyond_cap:
            return
        first = self.dead[0]
        reason = (
            f"{self.refused_beyond_cap} more items refused beyond the first {MAX_LETTERS}"
            f" (the first: {first.reason})"
        )
        self.dead.append(
            DeadLetter(
                first.topic,
                first.site_id,
                MORE_ITEM,
                printable(reason, _MAX_REASON),
                self.received_at,
            )
        )


class _DuplicateKey(ValueError):
    pass


def _reject_constant(name: str) -> None:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                msg = (
                    f"duplicate key {printable(key, 40)!r} in one object (JSON keys must be unique)"
                )
                raise _DuplicateKey(msg)
            seen.add(key)
    return obj


# One decoder for every message: json.loads with options builds a new one each call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_object)


def parse_json(payload: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity, no key twice in one object."""
    return _DECODER.decode(payload.decode("utf-8"))


def decode_message(
    topic: str,
    payload: bytes,
    received_at: datetime,
    registry: Registry,
    *,
    retained: bool = False,
    limits: DecodeLimits = DEFAULT_LIMITS,
    fast: bool = True,
) -> Decoded:
    """`fast=False`: the reference path alone (ingest/typed_json.py is held to it)."""
    out = Decoded(topic, payload, received_at)
    try:
        _decode(out, registry, retained, limits, fast)
    except Exception as exc:
        # The last line of defence: whatever one message does to the decoder, it becomes
        # a dead letter, and the next message is decoded as usual.
        log.exception("could not decode a message on %s", printable(topic, 200))
        out.refuse_whole(
            f"could not decode the message ({type(exc).__name__}: {exc}); kept for replay",
            site_of(topic),
        )
    out.close_letters()
    return out


class _Refused(Exception):
    """The message as a whole is refused, for this reason."""


def _decode(
    out: Decoded, registry: Registry, retained: bool, limits: DecodeLimits, fast: bool
) -> None:
    try:
        parsed = Topic.parse(out.topic)
    except BadTopic as exc:
        out.refuse(str(exc), site_id=site_of(out.topic))
        return
    try:
        device = _publisher(out, parsed, registry, limits)
        if parsed.channel == "status":
            online = _status(out.payload)
            out.statuses.append(
                StatusChange(device.id, parsed.site, device.kind, online, out.received_at, retained)
            )
        elif fast and (
            rows := fast_rows(out.payload, device, registry, out.received_at, limits.oldest)
        ):
            out.rows.update(rows)
            out.gateway = device if device.kind == "gateway" else None
        elif device.kind == "gateway":
            _gateway(out, device, _json(out.payload), registry, limits)
        else:
            _readings(out, device, _json(out.payload), "", registry, limits)
    except _Refused as exc:
        out.refuse(str(exc), site_id=parsed.site)


def _publisher(out: Decoded, topic: Topic, registry: Registry, limits: DecodeLimits) -> Device:
    """The registered device the topic names, if the message may be read at all."""
    size = len(out.payload)
    if size > limits.max_payload_bytes:
        out.oversize = True
        msg = (
            f"payload of {size} bytes is over the limit of {limits.max_payload_bytes}"
            " (SITEPULSE_INGEST_MAX_PAYLOAD_BYTES); its first bytes, size and hash are kept"
        )
        raise _Refused(msg)
    device = registry.devices.get(topic.device)
    if device is None:
        msg = f"unknown device {topic.device} (not in the registry of any site)"
    elif device.site_id != topic.site:
        msg = f"{device.id} belongs to site {device.site_id}, not {topic.site}"
    elif device.kind != topic.kind:
        msg = f"{device.id} is a device of kind {device.kind}, not {topic.kind}"
    else:
        return device
    raise _Refused(msg)


def _status(payload: bytes) -> bool:
    try:
        return parse_status(payload)
    except ValueError as exc:
        raise _Refused(str(exc)) from None


def _json(payload: bytes) -> Any:
    try:
        return parse_json(payload)
    except UnicodeDecodeError as exc:
        msg = f"payload is not UTF-8 (byte {exc.start})"
    except _DuplicateKey as exc:
        msg = f"payload is not JSON we accept: {exc}"
    except ValueError as exc:
        msg = f"payload is not JSON: {exc}"
    except RecursionError:
        msg = "payload is not JSON we accept: nested too deeply"
    raise _Refused(msg)


def _gateway(
    out: Decoded, gateway: Device, data: object, registry: Registry, limits: DecodeLimits
) -> None:
    out.gateway = gateway
    site = gateway.site_id
    if not isinstance(data, dict) or not data:
        msg = "a gateway payload must be a non-empty object of child device id -> reading(s)"
        raise _Refused(msg)
    for child_id, value in data.items():
        child = registry.devices.get(child_id)
        if not ID_PATTERN.fullmatch(child_id):
            out.refuse(
                f"child device id {printable(child_id, 40)!r} is not 1-64 of A-Z a-z 0-9 _ -",
                _item_name(child_id),
                site,
            )
        elif child is None:
            out.refuse(f"unknown device {child_id}", child_id, site)
        elif child.gateway_id != gateway.id or child.site_id != site:
            out.refuse(f"{child_id} is not a child of {gateway.id}", child_id, site)
        else:
            _readings(out, child, value, child_id, registry, limits)


def _item_name(child_id: str) -> str:
    """A gateway child that cannot be named as it came: a bounded, printable head of its
    id and a fingerprint, so that two such children never share a letter."""
    return f"{printable(child_id, _MAX_ITEM - 9)}#{fingerprint(child_id)}"


def parse_status(payload: bytes) -> bool:
    if len(payload) > MAX_STATUS_BYTES:
        msg = (
            f"status payload of {len(payload)} bytes is not online or offline"
            f' (plain, or {{"state": ...}})'
        )
        raise ValueError(msg)
    text = payload.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            state = json.loads(text).get("state", "")
        except (ValueError, AttributeError, RecursionError):
            state = ""
        text = state if isinstance(state, str) else ""
    if text in ("online", "offline"):
        return text == "online"
    msg = (
        f"status payload {printable(text, 40)!r} is not online or offline"
        ' (plain, or {"state": ...})'
    )
    raise ValueError(msg)


def _readings(
    out: Decoded,
    device: Device,
    data: object,
    prefix: str,
    registry: Registry,
    limits: DecodeLimits,
) -> None:
    site = device.site_id
    if device.kind == "gateway":
        out.refuse(f"{device.id} is a gateway: it cannot send readings for itself", prefix, site)
        return
    kind: ReadingKind = device.kind
    batch = isinstance(data, list)
    items: list[object] = data if isinstance(data, list) else [data]
    if batch:
        if not items:
            out.refuse("an empty batch carries no reading", prefix, site)
            return
        if len(items) > MAX_BATCH:
            out.refuse(
                f"a batch holds at most {MAX_BATCH} readings, this one {len(items)}", prefix, site
            )
            return
    rows = out.rows[kind]
    columns = MEASUREMENT_COLUMNS[kind]
    received_at = out.received_at
    oldest = limits.oldest.get(kind)
    device_id, floor, zone = device.id, device.floor, device.zone
    for i, item in enumerate(items):
        try:
            reading = validate_reading(kind, item)
            ts, from_receive = reading_time(reading, received_at, oldest)
        except BadReading as exc:
            out.refuse(str(exc), f"{prefix}[{i}]" if batch else prefix, site)
            continue
        get = reading.get
        if kind == "tag":
            floor = get("floor")
            if floor is None and "z_m" in reading:
                floor = registry.floor_at(site, reading["z_m"])
            zone = (
                registry.zone_at(site, floor, reading["x_m"], reading["y_m"])
                if floor is not None
                else None
            )
        rows.append(
            (
                ts,
                device_id,
                site,
                received_at,
                from_receive,
                get("seq"),
                floor,
                zone,
                *map(get, columns),
            )
        )
