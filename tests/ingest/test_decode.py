"""ingest.decode: one MQTT message to rows, dead letters and status changes, against an
in-memory registry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from core.geometry import Point, polygon_area
from core.kinds import ReadingKind
from ingest.decode import Decoded, decode_message, parse_status
from ingest.registry import Device, Registry, Zone
from ingest.rows import COMMON_COLUMNS, MEASUREMENT_COLUMNS, Row

SITE = "tower-a"
RECEIVED = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
TS = datetime(2026, 11, 22, 23, 59, 30, 123000, tzinfo=UTC)
TS_MS = round(TS.timestamp() * 1000)


def topic(kind: str, device: str, channel: str = "telemetry", site: str = SITE) -> str:
    return f"site/{site}/{kind}/{device}/{channel}"


def zone(zone_id: str, polygon: list[Point], *, hazard: bool = False) -> Zone:
    return Zone(zone_id, tuple(polygon), hazard, abs(polygon_area(polygon)))


@pytest.fixture
def registry() -> Registry:
    devices = [
        Device("tc-1", SITE, "crane", None, None, None),
        Device("env-2f-01", SITE, "env", 2, "f2-core", None),
        Device("gw-01", SITE, "gateway", None, None, None),
        Device("gw-02", SITE, "gateway", None, None, None),
        Device("tag-0412", SITE, "tag", None, None, "gw-01"),
        Device("tag-0413", SITE, "tag", None, None, "gw-01"),
        Device("tag-0500", SITE, "tag", None, None, "gw-02"),
        Device("tag-0600", SITE, "tag", None, None, None),
        Device("env-b-01", "tower-b", "env", 1, None, None),
        Device("tag-b-01", "tower-b", "tag", None, None, "gw-01"),
    ]
    registry = Registry(
        version=1,
        devices={d.id: d for d in devices},
        elevations={SITE: [0.0, 4.5, 9.0]},
        levels={SITE: [1, 2, 3]},
        zones={
            (SITE, 2): [
                zone("f2-shaft", [(2, 2), (4, 2), (4, 4), (2, 4)], hazard=True),
                zone("f2-core", [(0, 0), (10, 0), (10, 8), (0, 8)]),
                zone("f2-all", [(0, 0), (100, 0), (100, 100), (0, 100)]),
            ],
            (SITE, 7): [zone("f7-all", [(0, 0), (100, 0), (100, 100), (0, 100)])],
        },
    )
    for listed in registry.zones.values():
        listed.sort(key=lambda z: (not z.hazard, z.area_m2))
    return registry


def as_dict(kind: ReadingKind, row: Row) -> dict[str, object]:
    columns = COMMON_COLUMNS + MEASUREMENT_COLUMNS[kind]
    assert len(row) == len(columns)
    return dict(zip(columns, row, strict=True))


def decode(
    registry: Registry, kind: str, device: str, payload: object, channel: str = "telemetry"
) -> Decoded:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return decode_message(topic(kind, device, channel), raw, RECEIVED, registry)


def only_dead(out: Decoded) -> tuple[str, str]:
    """The one dead letter's (item, reason), after checking nothing else came out."""
    assert out.reading_count == 0
    assert out.statuses == []
    assert len(out.dead) == 1
    return out.dead[0].item, out.dead[0].reason


# --- single readings and batches ------------------------------------------------------------


def test_single_crane_reading(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-1", {"ts": TS_MS, "seq": 9, "wind_mps": 12.5, "load_t": 3})
    assert out.dead == []
    assert out.reading_count == 1
    assert out.rows["tag"] == []
    assert out.rows["env"] == []
    assert out.gateway is None
    row = as_dict("crane", out.rows["crane"][0])
    assert row == {
        "ts": TS,
        "device_id": "tc-1",
        "site_id": SITE,
        "received_at": RECEIVED,
        "ts_from_receive": False,
        "seq": 9,
        "floor": None,
        "zone": None,
        "load_t": 3.0,
        "radius_m": None,
        "height_m": None,
        "slew_deg": None,
        "moment_pct": None,
        "wind_mps": 12.5,
        "tilt_deg": None,
    }


def test_missing_ts_uses_receive_time_and_flags_the_row(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-1", {"wind_mps": 3})
    row = as_dict("crane", out.rows["crane"][0])
    assert row["ts"] == RECEIVED
    assert row["ts_from_receive"] is True
    assert row["seq"] is None


def test_rfc3339_ts(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-1", {"ts": "2026-11-23T07:59:30.123+08:00", "load_t": 1})
    row = as_dict("crane", out.rows["crane"][0])
    assert row["ts"] == TS
    assert row["ts_from_receive"] is False


def test_env_floor_and_zone_come_from_the_registry(registry: Registry) -> None:
    out = decode(registry, "env", "env-2f-01", {"ts": TS_MS, "temp_c": 21.5, "rh_pct": 60})
    row = as_dict("env", out.rows["env"][0])
    assert (row["floor"], row["zone"]) == (2, "f2-core")
    assert (row["temp_c"], row["rh_pct"], row["noise_dba"]) == (21.5, 60.0, None)
    assert row["device_id"] == "env-2f-01"


def test_batch(registry: Registry) -> None:
    batch = [{"ts": TS_MS + i, "seq": i, "temp_c": 20 + i} for i in range(3)]
    out = decode(registry, "env", "env-2f-01", batch)
    assert out.dead == []
    rows = [as_dict("env", row) for row in out.rows["env"]]
    assert [row["seq"] for row in rows] == [0, 1, 2]
    assert [row["temp_c"] for row in rows] == [20.0, 21.0, 22.0]
    assert rows[2]["ts"] == TS + timedelta(milliseconds=2)


def test_bad_item_in_a_batch_is_named_by_index(registry: Registry) -> None:
    batch: list[object] = [{"ts": TS_MS + i, "temp_c": 20} for i in range(5)]
    batch[3] = {"ts": TS_MS + 3, "temp_c": 95}
    out = decode(registry, "env", "env-2f-01", batch)
    assert out.reading_count == 4
    assert len(out.dead) == 1
    dead = out.dead[0]
    assert (dead.item, dead.reason) == ("[3]", "temp_c=95 above 80")
    assert dead.site_id == SITE
    assert dead.topic == topic("env", "env-2f-01")
    assert out.payload == json.dumps(batch).encode()
    assert dead.received_at == RECEIVED


def test_non_object_items_in_a_batch(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-1", [{"load_t": 1}, 5, [], {"load_t": 2}])
    assert out.reading_count == 2
    assert [(d.item, d.reason) for d in out.dead] == [
        ("[1]", "a reading must be a JSON object, not a number"),
        ("[2]", "a reading must be a JSON object, not an array"),
    ]


def test_bad_single_reading_is_named_by_empty_item(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-1", {"wind_mps": 95.0})
    assert only_dead(out) == ("", "wind_mps=95.0 above 80")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (5, "a reading must be a JSON object, not a number"),
        ("online", "a reading must be a JSON object, not a string"),
        (None, "a reading must be a JSON object, not null"),
        ({"load_t": 1, "foo": 2}, "unknown key 'foo' for kind crane"),
        ({"ts": TS_MS + 10 * 60_000, "load_t": 1}, f"ts={TS_MS + 10 * 60_000} is "),
    ],
)
def test_bad_single_payloads(registry: Registry, payload: object, reason: str) -> None:
    item, text = only_dead(decode(registry, "crane", "tc-1", payload))
    assert item == ""
    assert text.startswith(reason)


def test_empty_batch(registry: Registry) -> None:
    assert only_dead(decode(registry, "env", "env-2f-01", [])) == (
        "",
        "an empty batch carries no reading",
    )


def test_batch_of_more_than_10000(registry: Registry) -> None:
    batch = [{"temp_c": 20}] * 10_001
    assert only_dead(decode(registry, "env", "env-2f-01", batch)) == (
        "",
        "a batch holds at most 10000 readings, this one 10001",
    )


def test_batch_of_exactly_10000(registry: Registry) -> None:
    batch = [{"ts": TS_MS - i, "temp_c": 20} for i in range(10_000)]
    out = decode(registry, "env", "env-2f-01", batch)
    assert out.dead == []
    assert out.reading_count == 10_000


# --- tags: floor and zone -------------------------------------------------------------------


def test_tag_floor_from_the_floor_key(registry: Registry) -> None:
    # `floor` wins over z_m (which would say floor 1)
    out = decode(registry, "tag", "tag-0600", {"x_m": 50, "y_m": 50, "z_m": 1.0, "floor": 7})
    row = as_dict("tag", out.rows["tag"][0])
    assert (row["floor"], row["zone"]) == (7, "f7-all")
    assert (row["x_m"], row["y_m"], row["z_m"]) == (50.0, 50.0, 1.0)


@pytest.mark.parametrize(
    ("z_m", "floor"), [(0.0, 1), (4.2, 2), (6.0, 2), (8.6, 3), (-0.4, 1), (-3.0, None)]
)
def test_tag_floor_from_z(registry: Registry, z_m: float, floor: int | None) -> None:
    out = decode(registry, "tag", "tag-0600", {"x_m": 500, "y_m": 500, "z_m": z_m})
    row = as_dict("tag", out.rows["tag"][0])
    assert row["floor"] == floor
    assert row["zone"] is None


def test_tag_without_floor_or_z(registry: Registry) -> None:
    out = decode(registry, "tag", "tag-0600", {"x_m": 3, "y_m": 3})
    row = as_dict("tag", out.rows["tag"][0])
    assert (row["floor"], row["zone"]) == (None, None)


@pytest.mark.parametrize(
    ("x", "y", "zone_id"),
    [(3, 3, "f2-shaft"), (8, 6, "f2-core"), (50, 50, "f2-all"), (500, 500, None)],
)
def test_tag_zone(registry: Registry, x: float, y: float, zone_id: str | None) -> None:
    out = decode(registry, "tag", "tag-0600", {"x_m": x, "y_m": y, "z_m": 5.0})
    row = as_dict("tag", out.rows["tag"][0])
    assert row["floor"] == 2
    assert row["zone"] == zone_id


def test_tag_measurements_in_the_row(registry: Registry) -> None:
    payload = {"ts": TS_MS, "seq": 4, "x_m": 1.5, "y_m": 2.5, "battery_pct": 40, "sos": True}
    out = decode(registry, "tag", "tag-0600", payload)
    row = as_dict("tag", out.rows["tag"][0])
    assert (row["battery_pct"], row["sos"], row["z_m"], row["seq"]) == (40.0, True, None, 4)
    assert row["ts"] == TS


# --- gateways -------------------------------------------------------------------------------


def test_gateway_with_good_children(registry: Registry) -> None:
    payload = {
        "tag-0412": [
            {"ts": TS_MS, "x_m": 3, "y_m": 3, "floor": 2},
            {"ts": TS_MS + 1, "x_m": 1, "y_m": 1},
        ],
        "tag-0413": {"ts": TS_MS, "x_m": 8, "y_m": 6, "z_m": 5.0},
    }
    out = decode(registry, "gateway", "gw-01", payload)
    assert out.dead == []
    assert out.gateway == registry.devices["gw-01"]
    rows = [as_dict("tag", row) for row in out.rows["tag"]]
    assert [(r["device_id"], r["floor"], r["zone"]) for r in rows] == [
        ("tag-0412", 2, "f2-shaft"),
        ("tag-0412", None, None),
        ("tag-0413", 2, "f2-core"),
    ]
    assert all(r["site_id"] == SITE for r in rows)


@pytest.mark.parametrize(
    ("child", "reason"),
    [
        ("tag-9999", "unknown device tag-9999"),
        ("tag-0500", "tag-0500 is not a child of gw-01"),  # child of gw-02
        ("tag-0600", "tag-0600 is not a child of gw-01"),  # publishes for itself
        ("tag-b-01", "tag-b-01 is not a child of gw-01"),  # another site
        ("gw-01", "gw-01 is not a child of gw-01"),
    ],
)
def test_gateway_bad_child_spoils_only_that_child(
    registry: Registry, child: str, reason: str
) -> None:
    payload = {child: {"x_m": 1, "y_m": 1}, "tag-0412": {"x_m": 2, "y_m": 2}}
    out = decode(registry, "gateway", "gw-01", payload)
    assert [(d.item, d.reason, d.site_id) for d in out.dead] == [(child, reason, SITE)]
    assert [as_dict("tag", r)["device_id"] for r in out.rows["tag"]] == ["tag-0412"]


def test_gateway_child_items_are_named(registry: Registry) -> None:
    payload = {
        "tag-0412": [{"x_m": 1, "y_m": 1}, {"x_m": 2, "y_m": 2}, {"x_m": 3}],
        "tag-0413": {"x_m": 1, "y_m": 1, "sos": "yes"},
    }
    out = decode(registry, "gateway", "gw-01", payload)
    assert out.reading_count == 2
    assert [(d.item, d.reason) for d in out.dead] == [
        ("tag-0412[2]", "tag readings need both x_m and y_m (missing y_m)"),
        ("tag-0413", "sos='yes' is a string, expected true or false"),
    ]


def test_gateway_child_with_an_empty_batch(registry: Registry) -> None:
    out = decode(registry, "gateway", "gw-01", {"tag-0412": [], "tag-0413": {"x_m": 1, "y_m": 1}})
    assert out.reading_count == 1
    assert [(d.item, d.reason) for d in out.dead] == [
        ("tag-0412", "an empty batch carries no reading")
    ]


@pytest.mark.parametrize("payload", [[{"x_m": 1, "y_m": 1}], {}, "x", 5, None])
def test_gateway_sending_a_non_object(registry: Registry, payload: object) -> None:
    out = decode(registry, "gateway", "gw-01", payload)
    assert only_dead(out) == (
        "",
        "a gateway payload must be a non-empty object of child device id -> reading(s)",
    )
    assert out.gateway == registry.devices["gw-01"]


# --- the topic and the device ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "site_id", "reason"),
    [
        ("site/tower-a/drone/tc-1/telemetry", SITE, "unknown kind 'drone' in the topic"),
        ("site/tower-a/crane/tc-1/config", SITE, "unknown channel 'config' in the topic"),
        ("site/tower a/crane/tc-1/telemetry", None, "site id 'tower a' in the topic"),
        ("devices/tc-1", None, "topic 'devices/tc-1' is not site/"),
    ],
)
def test_bad_topic(registry: Registry, text: str, site_id: str | None, reason: str) -> None:
    out = decode_message(text, b'{"load_t": 1}', RECEIVED, registry)
    item, got = only_dead(out)
    assert item == ""
    assert got.startswith(reason)
    assert out.dead[0].site_id == site_id
    assert out.dead[0].topic == text


def test_unknown_device_on_the_topic(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-9", {"load_t": 1})
    assert only_dead(out) == ("", "unknown device tc-9 (not in the registry of any site)")
    assert out.dead[0].site_id == SITE


def test_device_of_another_site(registry: Registry) -> None:
    out = decode(registry, "env", "env-b-01", {"temp_c": 20})
    assert only_dead(out) == ("", "env-b-01 belongs to site tower-b, not tower-a")
    assert out.dead[0].site_id == SITE


@pytest.mark.parametrize(
    ("kind", "device", "registered"),
    [("env", "tc-1", "crane"), ("tag", "gw-01", "gateway"), ("gateway", "tag-0412", "tag")],
)
def test_kind_mismatch(registry: Registry, kind: str, device: str, registered: str) -> None:
    item, reason = only_dead(decode(registry, kind, device, {"load_t": 1}))
    assert item == ""
    # e.g. "tc-1 is a device of kind crane, not env"
    assert reason.startswith(f"{device} is a ")
    assert f" {registered}" in reason
    assert reason.endswith(f", not {kind}")


# --- payloads that are not JSON -------------------------------------------------------------


def test_non_utf8(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-1", b'{"load_t": 1, "x": "\xff"}')
    assert only_dead(out) == ("", "payload is not UTF-8 (byte 20)")
    assert out.payload == b'{"load_t": 1, "x": "\xff"}'


@pytest.mark.parametrize("payload", [b"{not json", b"", b'{"load_t": 1}{', b"\xef\xbb\xbf{}"])
def test_non_json(registry: Registry, payload: bytes) -> None:
    item, reason = only_dead(decode(registry, "crane", "tc-1", payload))
    assert item == ""
    assert reason.startswith("payload is not JSON: ")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_constants(registry: Registry, constant: str) -> None:
    out = decode(registry, "crane", "tc-1", f'{{"load_t": {constant}}}'.encode())
    assert only_dead(out) == ("", f"payload is not JSON: {constant} is not a JSON number")


def test_deeply_nested_json_is_a_dead_letter(registry: Registry) -> None:
    # Regression (ingest/decode.py decode_message): json.loads raises RecursionError on deeply
    # nested arrays; only ValueError is caught, so one bad message crashes the decoder.
    out = decode(registry, "crane", "tc-1", b"[" * 100_000)
    item, reason = only_dead(out)
    assert item == ""
    assert reason.startswith("payload is not JSON")


def test_ts_beyond_year_9999_is_a_dead_letter(registry: Registry) -> None:
    # Regression (core/wire.py reading_time): the ValueError from datetime.fromtimestamp escapes
    # as a plain ValueError, so the decoder raises instead of writing a dead letter.
    out = decode(registry, "crane", "tc-1", {"ts": 10**15, "load_t": 1})
    item, reason = only_dead(out)
    assert item == ""
    assert reason.startswith("ts=1000000000000000 ")


# --- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "online"),
    [
        (b"online", True),
        (b"offline", False),
        (b" online\n", True),
        (b'{"state": "online"}', True),
        (b'{"state": "offline", "reason": "will"}', False),
    ],
)
def test_status(registry: Registry, payload: bytes, online: bool) -> None:
    out = decode_message(
        topic("crane", "tc-1", "status"), payload, RECEIVED, registry, retained=True
    )
    assert out.dead == []
    assert out.reading_count == 0
    assert len(out.statuses) == 1
    status = out.statuses[0]
    assert (status.device_id, status.site_id, status.kind) == ("tc-1", SITE, "crane")
    assert status.online is online
    assert status.received_at == RECEIVED
    assert status.retained is True


def test_status_not_retained_by_default(registry: Registry) -> None:
    out = decode_message(topic("gateway", "gw-01", "status"), b"offline", RECEIVED, registry)
    assert out.statuses[0].retained is False
    assert out.statuses[0].kind == "gateway"


@pytest.mark.parametrize(
    "payload",
    [
        b"ONLINE",
        b"up",
        b"",
        b'{"state": 1}',
        b'{"state": "online"',
        b'{"status": "online"}',
        b'"online"',
        b"\xff\xfe",
    ],
)
def test_bad_status(registry: Registry, payload: bytes) -> None:
    out = decode(registry, "crane", "tc-1", payload, channel="status")
    item, reason = only_dead(out)
    assert item == ""
    assert "is not online or offline" in reason
    assert out.dead[0].site_id == SITE


def test_status_of_an_unknown_device(registry: Registry) -> None:
    out = decode(registry, "crane", "tc-9", b"online", channel="status")
    assert only_dead(out) == ("", "unknown device tc-9 (not in the registry of any site)")


def test_status_that_is_a_json_array(registry: Registry) -> None:
    with pytest.raises(ValueError, match="is not online or offline"):
        parse_status(b'{"state": ["online"]}')
    assert parse_status(b'{"state":"online"}') is True


# --- layout ---------------------------------------------------------------------------------


def test_row_layout_constants() -> None:
    assert COMMON_COLUMNS == (
        "ts",
        "device_id",
        "site_id",
        "received_at",
        "ts_from_receive",
        "seq",
        "floor",
        "zone",
    )
    assert set(MEASUREMENT_COLUMNS) == {"crane", "tag", "env"}
    assert "floor" not in MEASUREMENT_COLUMNS["tag"]
    assert MEASUREMENT_COLUMNS["tag"] == ("x_m", "y_m", "z_m", "battery_pct", "sos")


def test_decoded_keeps_the_message(registry: Registry) -> None:
    payload = b'{"load_t": 1}'
    out = decode_message(topic("crane", "tc-1"), payload, RECEIVED, registry)
    assert (out.topic, out.payload, out.received_at) == (topic("crane", "tc-1"), payload, RECEIVED)
