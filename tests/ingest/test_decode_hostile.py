"""ingest.decode against hostile input (issue 12): nothing in a message escapes as an
exception, every text a dead letter carries is printable and bounded, and what is good
beside what is bad is kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ingest.decode import Decoded, DecodeLimits, decode_message, parse_status
from ingest.registry import Device, Registry
from tests.ingest.test_decode import RECEIVED, SITE, TS_MS, topic


def _gateway(payload: str) -> Decoded:
    return decode_message(topic("gateway", "gw-01"), payload.encode(), RECEIVED, registry_())


def registry_() -> Registry:
    return Registry(
        version=1,
        devices={
            "gw-01": Device("gw-01", SITE, "gateway", None, None, None),
            "tag-0412": Device("tag-0412", SITE, "tag", None, None, "gw-01"),
            "tc-1": Device("tc-1", SITE, "crane", None, None, None),
        },
    )


def _printable_and_bounded(out: Decoded) -> None:
    for letter in out.dead:
        for text in (letter.item, letter.reason, letter.topic):
            assert text.isprintable(), text
            assert "\x00" not in text
            text.encode("utf-8")  # no lone surrogate left: PostgreSQL takes it
        assert len(letter.item) <= 48
        assert len(letter.reason) <= 1000


@pytest.mark.parametrize(
    "child",
    ["\\ud800", "tag\\u0000x", "x" * 3000, "tag 0412", "tag/0412", "李四", "", "\\u001b[31m"],
)
def test_a_gateway_child_id_outside_the_id_pattern_is_refused_alone(child: str) -> None:
    good = '{"x_m": 1, "y_m": 2}'
    out = _gateway(f'{{"{child}": {good}, "tag-0412": {good}}}')
    assert out.reading_count == 1  # the good child beside it is stored
    assert len(out.dead) == 1
    assert "is not 1-64 of A-Z a-z 0-9 _ -" in out.dead[0].reason
    _printable_and_bounded(out)


def test_two_long_child_ids_with_one_head_are_two_letters() -> None:
    a, b = "x" * 3000 + "a", "x" * 3000 + "b"
    out = _gateway(f'{{"{a}": {{"x_m": 1, "y_m": 2}}, "{b}": {{"x_m": 1, "y_m": 2}}}}')
    assert len({letter.item for letter in out.dead}) == 2


def test_a_duplicate_key_is_refused_naming_it() -> None:
    out = decode_message(
        topic("crane", "tc-1"), b'{"wind_mps": 5, "wind_mps": 50}', RECEIVED, registry_()
    )
    assert out.reading_count == 0
    assert out.dead[0].reason == (
        "payload is not JSON we accept: duplicate key 'wind_mps' in one object"
        " (JSON keys must be unique)"
    )


@pytest.mark.parametrize(
    "payload",
    [b'{"state": ' + b"[" * 5000 + b"]" * 5000 + b"}", b"[" * 5000, b"x" * 10_000],
)
def test_a_deep_or_long_status_is_a_dead_letter(payload: bytes) -> None:
    out = decode_message(topic("crane", "tc-1", "status"), payload, RECEIVED, registry_())
    assert out.statuses == []
    assert "is not online or offline" in out.dead[0].reason
    _printable_and_bounded(out)


def test_a_status_whose_state_is_not_text_is_refused() -> None:
    with pytest.raises(ValueError, match="is not online or offline"):
        parse_status(b'{"state": [[[["online"]]]]}')


def test_hostile_values_are_named_briefly() -> None:
    huge = "x" * 1_000_000
    deep = "[" * 900 + "]" * 900
    payload = f'[{{"temp_c": "{huge}"}}, {{"{huge}": 1}}, {{"ts": "{huge}", "temp_c": 1}},'
    payload += f' {{"temp_c": {deep}}}, {{"temp_c": 1e400}}, {{"floor": {"9" * 4000}}}]'
    out = decode_message(topic("env", "env-2f-01"), payload.encode(), RECEIVED, registry_all())
    assert out.reading_count == 0
    assert [d.item for d in out.dead] == ["[0]", "[1]", "[2]", "[3]", "[4]", "[5]"]
    _printable_and_bounded(out)
    assert all(len(d.reason) < 300 for d in out.dead), [d.reason for d in out.dead]


def registry_all() -> Registry:
    registry = registry_()
    registry.devices["env-2f-01"] = Device("env-2f-01", SITE, "env", 2, None, None)
    return registry


def test_letters_per_message_are_capped_with_a_count_of_the_rest() -> None:
    batch = [{"ts": TS_MS + i, "load_t": 500} for i in range(10_000)]
    out = decode_message(topic("crane", "tc-1"), json.dumps(batch).encode(), RECEIVED, registry_())
    assert len(out.dead) == 101
    assert out.refused_items == 10_000
    assert out.dead[-1].item == "[...]"
    assert out.dead[-1].reason.startswith("9900 more items refused beyond the first 100")


def test_an_oversize_payload_is_refused_and_marked() -> None:
    limits = DecodeLimits(max_payload_bytes=1024)
    payload = json.dumps([{"load_t": 1}] * 200).encode()
    out = decode_message(topic("crane", "tc-1"), payload, RECEIVED, registry_(), limits=limits)
    assert out.oversize
    assert out.reading_count == 0
    assert out.dead[0].reason.startswith(f"payload of {len(payload)} bytes is over the limit")


def test_a_ts_older_than_the_kinds_retention_is_refused() -> None:
    limits = DecodeLimits(oldest={"crane": timedelta(days=90), "tag": None, "env": None})
    old = round((RECEIVED - timedelta(days=91)).timestamp() * 1000)
    payload = json.dumps([{"ts": old, "load_t": 1}, {"ts": TS_MS, "load_t": 1}]).encode()
    out = decode_message(topic("crane", "tc-1"), payload, RECEIVED, registry_(), limits=limits)
    assert out.reading_count == 1
    assert out.dead[0].reason == (
        f"ts={old} is 91 days before the receive time (limit 90 days, the kind's raw"
        " retention): device clock?"
    )


def test_an_unforeseen_failure_refuses_the_message_whole() -> None:
    class Broken(Registry):
        def floor_at(self, site_id: str, z_m: float) -> int | None:
            raise RuntimeError("a registry bug")

    broken = Broken(version=1, devices=registry_().devices)
    payload = b'{"tag-0412": [{"x_m": 1, "y_m": 2, "floor": 2}, {"x_m": 1, "y_m": 2, "z_m": 3}]}'
    out = decode_message(topic("gateway", "gw-01"), payload, RECEIVED, broken)
    assert out.reading_count == 0  # the message is refused whole, kept for replay
    assert len(out.dead) == 1
    assert out.dead[0].reason == (
        "could not decode the message (RuntimeError: a registry bug); kept for replay"
    )
