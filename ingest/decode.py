"""From one MQTT message to rows, dead letters and status changes: pure, no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.kinds import ReadingKind
from core.topics import BadTopic, Topic, site_of
from core.wire import MAX_BATCH, BadReading, reading_time, validate_reading
from ingest.registry import Device, Registry

COMMON_COLUMNS = (
    "ts", "device_id", "site_id", "received_at", "ts_from_receive", "seq", "floor", "zone",
)  # fmt: skip
MEASUREMENT_COLUMNS: dict[ReadingKind, tuple[str, ...]] = {
    "crane": ("load_t", "radius_m", "height_m", "slew_deg", "moment_pct", "wind_mps", "tilt_deg"),
    "tag": ("x_m", "y_m", "z_m", "battery_pct", "sos"),
    "env": ("temp_c", "rh_pct", "pm25_ugm3", "pm10_ugm3", "noise_dba", "core_temp_c"),
}
Row = tuple[Any, ...]


@dataclass(slots=True)
class DeadLetter:
    topic: str
    site_id: str | None
    payload: bytes
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

    @property
    def reading_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _reject_constant(name: str) -> None:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def decode_message(
    topic: str,
    payload: bytes,
    received_at: datetime,
    registry: Registry,
    *,
    retained: bool = False,
) -> Decoded:
    out = Decoded(topic, payload, received_at)

    def refuse(reason: str, item: str = "", site_id: str | None = None) -> Decoded:
        out.dead.append(DeadLetter(topic, site_id, payload, item, reason, received_at))
        return out

    try:
        parsed = Topic.parse(topic)
    except BadTopic as exc:
        return refuse(str(exc), site_id=site_of(topic))
    site = parsed.site
    device = registry.devices.get(parsed.device)
    if device is None:
        return refuse(
            f"unknown device {parsed.device} (not in the registry of any site)", site_id=site
        )
    if device.site_id != site:
        return refuse(f"{device.id} belongs to site {device.site_id}, not {site}", site_id=site)
    if device.kind != parsed.kind:
        return refuse(
            f"{device.id} is a device of kind {device.kind}, not {parsed.kind}", site_id=site
        )

    if parsed.channel == "status":
        try:
            online = parse_status(payload)
        except ValueError as exc:
            return refuse(str(exc), site_id=site)
        out.statuses.append(
            StatusChange(device.id, site, device.kind, online, received_at, retained)
        )
        return out

    try:
        data = json.loads(payload.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        return refuse(f"payload is not UTF-8 (byte {exc.start})", site_id=site)
    except ValueError as exc:
        return refuse(f"payload is not JSON: {exc}", site_id=site)
    except RecursionError:
        return refuse("payload is not JSON we accept: nested too deeply", site_id=site)

    if device.kind == "gateway":
        out.gateway = device
        if not isinstance(data, dict) or not data:
            return refuse(
                "a gateway payload must be a non-empty object of child device id -> reading(s)",
                site_id=site,
            )
        for child_id, value in data.items():
            child = registry.devices.get(child_id)
            if child is None:
                refuse(f"unknown device {child_id}", child_id, site)
            elif child.gateway_id != device.id or child.site_id != site:
                refuse(f"{child_id} is not a child of {device.id}", child_id, site)
            else:
                _readings(out, child, value, child_id, received_at, registry, refuse)
        return out

    _readings(out, device, data, "", received_at, registry, refuse)
    return out


def parse_status(payload: bytes) -> bool:
    text = payload.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text).get("state", ""))
        except (ValueError, AttributeError):
            text = ""
    if text in ("online", "offline"):
        return text == "online"
    msg = f'status payload {text[:40]!r} is not online or offline (plain, or {{"state": ...}})'
    raise ValueError(msg)


def _readings(
    out: Decoded,
    device: Device,
    data: object,
    prefix: str,
    received_at: datetime,
    registry: Registry,
    refuse: Any,
) -> None:
    site = device.site_id
    if device.kind == "gateway":
        refuse(f"{device.id} is a gateway: it cannot send readings for itself", prefix, site)
        return
    kind: ReadingKind = device.kind
    if isinstance(data, list):
        if not data:
            refuse("an empty batch carries no reading", prefix, site)
            return
        if len(data) > MAX_BATCH:
            refuse(
                f"a batch holds at most {MAX_BATCH} readings, this one {len(data)}", prefix, site
            )
            return
        items: list[tuple[str, object]] = [(f"{prefix}[{i}]", item) for i, item in enumerate(data)]
    else:
        items = [(prefix, data)]
    rows = out.rows[kind]
    columns = MEASUREMENT_COLUMNS[kind]
    for item_name, item in items:
        try:
            reading = validate_reading(kind, item)
            ts, from_receive = reading_time(reading, received_at)
        except BadReading as exc:
            refuse(str(exc), item_name, site)
            continue
        floor, zone = device.floor, device.zone
        if kind == "tag":
            floor = reading.get("floor")
            x_m, y_m = reading["x_m"], reading["y_m"]
            if floor is None and "z_m" in reading:
                floor = registry.floor_at(site, reading["z_m"])
            zone = registry.zone_at(site, floor, x_m, y_m) if floor is not None else None
        common = (ts, device.id, site, received_at, from_receive, reading.get("seq"), floor, zone)
        rows.append((*common, *[reading.get(column) for column in columns]))
