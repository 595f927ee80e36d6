"""Decoding's fast path: a payload parsed and validated in one compiled pass (msgspec)
into exactly the rows the reference path (ingest/decode.py) makes of it.

It takes only what it can vouch for: plain ASCII without escapes, no key twice, every
reading accepted. Anything else (a reading to refuse, a key twice, NaN, an escape, a
stranger child) is left to the reference path, which decides and names the reason, so
that what is stored and refused never depends on which path ran
(tests/ingest/test_typed_json.py holds the two to the same rows)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from core.kinds import READING_KINDS, ReadingKind
from core.measurements import BY_KIND, Measurement
from core.wire import MAX_BATCH, SEQ_MAX, SPECS, BadReading, time_of
from ingest.registry import Device, Registry
from ingest.rows import MEASUREMENT_COLUMNS, Row

# what the fast path leaves to the reference path (nesting too deep for msgspec, too)
_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, BadReading, RecursionError)


class _NotMine(Exception):
    """The reference path decides this payload."""


def _annotation(m: Measurement) -> Any:
    """The reading's key as core/wire.py validates it: its type, its bounds, no null."""
    if m.bounds is None:
        return m.python_type
    cast = m.python_type if m.python_type is int else float
    low, high = cast(m.bounds.low), cast(m.bounds.high)
    meta = Meta(ge=low, le=high) if m.bounds.high_inclusive else Meta(ge=low, lt=high)
    return Annotated[m.python_type, meta]


@dataclass(frozen=True)
class _Kind:
    decoder: msgspec.json.Decoder[Any]
    keys: tuple[str, ...]  # seq, then the measurement keys: a reading's keys but ts
    values: Callable[[Any], tuple[Any, ...]]  # a reading's values of `keys`
    columns: Callable[[Any], tuple[Any, ...]]  # its values of the kind's own columns
    any_of: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # of `values`: one at least
    any_count: int
    all_of: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # of `values`: all of them


def _kind(kind: ReadingKind) -> _Kind:
    """A kind's compiled reading: a key left out reads None (a null is refused, but ts's)."""
    measurements = BY_KIND[kind]
    fields: list[tuple[str, Any, Any]] = [
        ("ts", int | str | None | UnsetType, UNSET),
        ("seq", Annotated[int, Meta(ge=0, le=SEQ_MAX)], None),
    ]
    fields += [(m.key, _annotation(m), None) for m in measurements]
    struct = msgspec.defstruct(f"{kind.capitalize()}Reading", fields, forbid_unknown_fields=True)
    keys = tuple(name for name, _, _ in fields[1:])
    spec = SPECS[kind]
    columns = MEASUREMENT_COLUMNS[kind]
    assert len(columns) > 1, "attrgetter of one column gives a value, not a tuple"
    return _Kind(
        decoder=msgspec.json.Decoder(struct | list[struct]),  # type: ignore[valid-type]
        keys=keys,
        values=attrgetter(*keys),
        columns=attrgetter(*columns),
        any_of=_picker(tuple(keys.index(k) for k in spec.measurements)),
        any_count=len(spec.measurements),
        all_of=_picker(tuple(keys.index(k) for k in spec.required)),
    )


def _picker(positions: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """The values at these positions, as a tuple however many they are."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda values: tuple(values[i] for i in positions)


_KINDS = {kind: _kind(kind) for kind in READING_KINDS}
_CHILDREN = msgspec.json.Decoder(dict[str, msgspec.Raw])


def fast_rows(
    payload: bytes,
    device: Device,
    registry: Registry,
    received_at: datetime,
    oldest: Mapping[ReadingKind, timedelta | None],
) -> dict[ReadingKind, list[Row]] | None:
    """The rows of a device's or gateway's telemetry payload, or None: the reference path
    decides. A key written twice is seen by counting: outside strings every colon of a
    JSON text is a key's, and with no escape the only colons in strings are ts's."""
    if not payload.isascii() or b"\\" in payload:
        return None
    batch = _Batch(registry, received_at, oldest)
    try:
        if device.kind == "gateway":
            keys = _children(payload, device, batch)
        else:
            keys = _readings(payload, device, batch)
    except (_NotMine, *_REFUSED):
        return None
    return batch.rows if payload.count(b":") == keys else None


@dataclass
class _Batch:
    """One payload's rows, and what its readings share."""

    registry: Registry
    received_at: datetime
    oldest: Mapping[ReadingKind, timedelta | None]
    rows: dict[ReadingKind, list[Row]] = field(default_factory=dict)
    # each ts sent, as a time: a gateway's children often share one
    times: dict[tuple[ReadingKind, int | str | None], tuple[datetime, bool]] = field(
        default_factory=dict
    )


def _children(payload: bytes, gateway: Device, batch: _Batch) -> int:
    children = _CHILDREN.decode(payload)
    if not children:
        raise _NotMine
    keys = len(children)
    for child_id, value in children.items():
        child = batch.registry.devices.get(child_id)
        if child is None or child.gateway_id != gateway.id or child.site_id != gateway.site_id:
            raise _NotMine
        keys += _readings(value, child, batch)
    return keys


def _readings(data: bytes | msgspec.Raw, device: Device, batch: _Batch) -> int:
    """Append a device's rows; the number of keys its readings were written with."""
    if device.kind == "gateway":
        raise _NotMine
    kind: ReadingKind = device.kind
    spec = _KINDS[kind]
    parsed = spec.decoder.decode(data)
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or len(items) > MAX_BATCH:
        raise _NotMine
    out = batch.rows.setdefault(kind, [])
    registry, received_at, times = batch.registry, batch.received_at, batch.times
    site, device_id = device.site_id, device.id
    floor, zone = device.floor, device.zone
    keys = 0
    for reading in items:
        values = spec.values(reading)
        if None in spec.all_of(values) or spec.any_of(values).count(None) == spec.any_count:
            raise _NotMine
        raw = None if reading.ts is UNSET else reading.ts
        keys += len(values) - values.count(None) + (reading.ts is not UNSET)
        if isinstance(raw, str):
            keys += raw.count(":")
        when = times.get((kind, raw))
        if when is None:
            when = times[kind, raw] = time_of(raw, received_at, batch.oldest.get(kind))
        if kind == "tag":
            floor = reading.floor
            if floor is None and reading.z_m is not None:
                floor = registry.floor_at(site, reading.z_m)
            zone = (
                registry.zone_at(site, floor, reading.x_m, reading.y_m)
                if floor is not None
                else None
            )
        out.append(
            (
                when[0],
                device_id,
                site,
                received_at,
                when[1],
                reading.seq,
                floor,
                zone,
                *spec.columns(reading),
            )
        )
    return keys
