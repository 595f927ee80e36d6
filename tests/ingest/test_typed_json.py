"""Decoding's fast path (ingest/typed_json.py) against the reference path: for any payload,
the same rows (values and their Python types), letters and status changes; and the fast
path really takes the payloads devices send, and leaves the ones it cannot vouch for."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.geometry import polygon_area
from core.kinds import ReadingKind
from ingest.decode import DEFAULT_LIMITS, Decoded, decode_message
from ingest.registry import Device, Registry, Zone
from ingest.typed_json import fast_rows
from tests.fuzz_payloads import CHILDREN, GATEWAYS, Stamps, good_reading, messages
from tests.helpers import make_test_site

SITE = "fuzz"
_SITE = make_test_site(SITE)
KIND = {d.id: d.kind for d in _SITE.devices}
NOW = datetime.now(UTC)


def _registry() -> Registry:
    registry = Registry(
        version=1,
        devices={
            d.id: Device(d.id, SITE, d.kind, d.floor, d.zone, d.gateway) for d in _SITE.devices
        },
        elevations={SITE: [f.elevation_m for f in sorted(_SITE.floors, key=lambda f: f.level)]},
        levels={SITE: sorted(f.level for f in _SITE.floors)},
    )
    for z in _SITE.zones:
        points = tuple((float(x), float(y)) for x, y in z.polygon)
        zone = Zone(z.id, points, z.hazard, abs(polygon_area(points)))
        registry.zones.setdefault((SITE, z.floor), []).append(zone)
    for listed in registry.zones.values():
        listed.sort(key=lambda z: (not z.hazard, z.area_m2))
    return registry


REGISTRY = _registry()


def typed(out: Decoded) -> dict[str, Any]:
    """Everything decoding made, each value beside its type (20 == 20.0, but COPY cares)."""
    return {
        "rows": {k: [[(type(v), v) for v in row] for row in rows] for k, rows in out.rows.items()},
        "dead": out.dead,
        "statuses": out.statuses,
        "gateway": out.gateway,
        "oversize": out.oversize,
        "beyond": out.refused_beyond_cap,
    }


def both(topic: str, payload: bytes) -> tuple[Decoded, Decoded]:
    fast = decode_message(topic, payload, NOW, REGISTRY)
    reference = decode_message(topic, payload, NOW, REGISTRY, fast=False)
    assert typed(fast) == typed(reference)
    return fast, reference


def taken(device_id: str, payload: bytes) -> bool:
    """Whether the fast path takes the payload (None: it leaves it to the reference)."""
    device = REGISTRY.devices[device_id]
    return fast_rows(payload, device, REGISTRY, NOW, DEFAULT_LIMITS.oldest) is not None


def _topic(device_id: str) -> str:
    return f"site/{SITE}/{KIND[device_id]}/{device_id}/telemetry"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_whatever_is_published_both_paths_make_the_same_of_it(data: st.DataObject) -> None:
    for message in data.draw(messages(SITE, Stamps()), label="messages"):
        both(message.topic, message.payload)


GATEWAY = GATEWAYS[0]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_gateway_batch_of_good_readings_is_taken_and_makes_the_reference_rows(
    data: st.DataObject,
) -> None:
    stamps = Stamps()
    body: dict[str, Any] = {}
    for child in data.draw(st.lists(st.sampled_from(CHILDREN[GATEWAY]), min_size=1, unique=True)):
        readings = [
            data.draw(good_reading(KIND[child], child, stamps))[0]
            for _ in range(data.draw(st.integers(1, 3)))
        ]
        body[child] = readings[0] if len(readings) == 1 else readings
    payload = json.dumps(body).encode()
    fast, _ = both(_topic(GATEWAY), payload)
    if not fast.dead and payload.isascii() and b"\\" not in payload:
        assert taken(GATEWAY, payload)


def _device(kind: ReadingKind) -> str:
    return next(d.id for d in _SITE.devices if d.kind == kind and d.gateway is None)


MS = int(time.time() * 1000) - 60_000
TAG = next(c for c in CHILDREN[GATEWAY] if KIND[c] == "tag")
PROBE = next(c for c in CHILDREN[GATEWAY] if KIND[c] == "env")
GOOD = [
    (_device("env"), {"ts": MS, "temp_c": 21.5, "rh_pct": 55}),
    (_device("env"), [{"ts": MS, "temp_c": 20}, {"ts": MS + 1, "noise_dba": 70, "seq": 4}]),
    (_device("env"), {"temp_c": 20}),
    (_device("env"), {"ts": None, "core_temp_c": 35.5}),
    (_device("env"), {"ts": "2026-12-02T04:30:00+08:00", "temp_c": 1}),
    (_device("crane"), {"ts": MS, "load_t": 2.5, "moment_pct": 50, "wind_mps": 5}),
    (GATEWAY, {TAG: {"ts": MS, "x_m": 1, "y_m": 2, "floor": 2}}),
    (GATEWAY, {TAG: [{"ts": MS, "x_m": 1, "y_m": 2, "z_m": 4.6}, {"x_m": 5.5, "y_m": 2}]}),
    (GATEWAY, {TAG: {"ts": MS, "x_m": 1, "y_m": 2, "sos": True, "battery_pct": 80}}),
    (GATEWAY, {TAG: {"ts": MS, "x_m": 1, "y_m": 2}, PROBE: {"ts": MS, "core_temp_c": 30}}),
]


@pytest.mark.parametrize(("device_id", "body"), GOOD)
def test_what_devices_send_is_taken_by_the_fast_path(device_id: str, body: object) -> None:
    payload = json.dumps(body, separators=(",", ":")).encode()
    fast, _ = both(_topic(device_id), payload)
    assert fast.reading_count >= 1
    assert not fast.dead
    assert taken(device_id, payload)


T = TAG.encode()
ENV = _device("env")
LEFT = [
    ("a key twice in a reading", ENV, b'{"temp_c":1,"temp_c":2}'),
    ("a child twice", GATEWAY, b'{"%s":{"x_m":1,"y_m":1},"%s":{"x_m":2,"y_m":2}}' % (T, T)),
    (
        "a key twice, a colon escaped",
        ENV,
        rb'{"ts":"2026-12-02T04\u003a30Z","temp_c":1,"temp_c":2}',
    ),
    ("NaN", ENV, b'{"temp_c":NaN}'),
    ("non-ASCII", ENV, '{"ts":"2026-12-02T04:30Z\u00e9","temp_c":1}'.encode()),
    ("an escape", ENV, rb'{"ts":"2026-12-02T04:30:00\u005a","temp_c":1}'),
    ("out of bounds", ENV, b'{"temp_c":81}'),
    ("a null", ENV, b'{"temp_c":null,"rh_pct":50}'),
    ("an integer as 1.0", GATEWAY, b'{"%s":{"x_m":1,"y_m":1,"floor":1.0}}' % T),
    ("a boolean for a number", ENV, b'{"temp_c":true}'),
    ("no measurement", ENV, b'{"ts":1}'),
    ("a tag without y", GATEWAY, b'{"%s":{"x_m":1}}' % T),
    ("an unknown key", ENV, b'{"temp_c":1,"co2":400}'),
    ("seconds for ms", ENV, b'{"ts":1764650000,"temp_c":1}'),
    ("an empty batch", ENV, b"[]"),
    ("a stranger child", GATEWAY, b'{"nobody":{"x_m":1,"y_m":1}}'),
    ("not an object", ENV, b'"x"'),
    ("an integer too long", ENV, b'{"seq":%d,"temp_c":1}' % (10**30)),
]


@pytest.mark.parametrize(("what", "device_id", "payload"), LEFT, ids=[w for w, _, _ in LEFT])
def test_what_the_fast_path_cannot_vouch_for_it_leaves_to_the_reference(
    what: str, device_id: str, payload: bytes
) -> None:
    both(_topic(device_id), payload)
    assert not taken(device_id, payload), what
