"""Hypothesis strategies for what devices (and worse) publish to ingest: valid readings,
mutated ones and hostile payloads, each message drawn with what CONTRACT §1 says ingest
must make of it: the readings it stores and the number of items it refuses.

The readings' kinds, keys and bounds come from core.wire and the devices from the test
site (tests/data/site.yaml). Where a choice would leave a message's outcome open, the
outcome is fixed here, once:
- a duplicate key, nesting too deep to parse or an integer too long to parse makes the
  payload unreadable as JSON, so the message is refused whole wherever it sits;
- a reading stamped 2001-2010 is refused: it is older than any kind's raw retention (the
  next retention run would drop it);
- a gateway child id that no device has (a lone surrogate, a NUL, 3,000 characters) is
  refused for that child only."""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from core.settings import Settings
from core.wire import MAX_BATCH, SPECS
from tests.helpers import make_test_site

DEEP = 5000  # nesting of the deep payloads
HUGE = 1_000_000  # characters of a huge string
LONG = 3000  # characters of a long id
MAX_MESSAGES = 12  # per example
# Past this a payload is refused whole, unread (SITEPULSE_INGEST_MAX_PAYLOAD_BYTES).
_LIMIT = Settings.model_fields.get("ingest_max_payload_bytes")
MAX_PAYLOAD: int | None = _LIMIT.default if _LIMIT is not None else None

_SITE = make_test_site("fuzz")
KIND_OF: dict[str, str] = {d.id: d.kind for d in _SITE.devices}
READING_DEVICES = sorted(d.id for d in _SITE.devices if d.kind != "gateway")
GATEWAYS = sorted(d.id for d in _SITE.devices if d.kind == "gateway")
CHILDREN = {gw: sorted(d.id for d in _SITE.devices if d.gateway == gw) for gw in GATEWAYS}
_SCHEMAS: dict[str, dict[str, Any]] = {
    kind: spec.adapter.json_schema()["properties"] for kind, spec in SPECS.items()
}
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@dataclass(frozen=True)
class Raw:
    """JSON text written as it is: what json.dumps will not write (1e400, 10**400)."""

    text: str


@dataclass(frozen=True)
class Pairs:
    """An object as written: keys in order, a key possibly twice."""

    items: tuple[tuple[str, Any], ...]


def to_json(value: Any) -> str:
    """JSON text; strings ASCII-escaped, so that a lone surrogate travels as `\\ud800`."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs | dict):
        items = value.items if isinstance(value, Pairs) else value.items()
        return "{" + ", ".join(f"{json.dumps(k)}: {to_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


@dataclass(frozen=True)
class Reading:
    """A reading ingest must store: ts None where the receive time stands in."""

    kind: str
    device: str
    ts: int | None
    values: tuple[tuple[str, Any], ...]  # column -> the value sent


@dataclass(frozen=True)
class Outcome:
    stored: tuple[Reading, ...] = ()
    refused: int = 0

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(self.stored + other.stored, self.refused + other.refused)


WHOLE = Outcome(refused=1)


@dataclass(frozen=True)
class FuzzMessage:
    label: str
    topic: str
    payload: bytes
    outcome: Outcome
    qos: int = 1
    retain: bool = False

    def __repr__(self) -> str:
        head = self.payload[:100] + (b"..." if len(self.payload) > 100 else b"")
        return (
            f"<{self.label}: {self.topic} {head!r} ({len(self.payload)} bytes)"
            f" qos={self.qos}{' retained' if self.retain else ''}; expect"
            f" {len(self.outcome.stored)} stored, {self.outcome.refused} refused>"
        )


@dataclass
class Stamps:
    """What a run must never repeat: each good reading's ts (so that each reading is
    stored once, whatever example it came from) and each payload (so that each refused
    message is a dead letter of its own)."""

    recent_ms: int = field(default_factory=lambda: int((time.time() - 10 * 86400) * 1000))
    _serial: int = 0
    _future_ms: int = 0

    def serial(self) -> int:
        self._serial += 1
        return self._serial

    def ts(self) -> int:
        return self.recent_ms + self.serial()

    def near_future(self) -> int:
        """A ts a minute ahead of now: accepted (up to 5 minutes ahead is)."""
        self._future_ms = max(int(time.time() * 1000) + 60_000, self._future_ms + 1)
        return self._future_ms

    def nonce(self) -> bytes:
        """Whitespace unique to one payload, for its end: JSON and status text ignore it,
        and text that is not JSON stays not JSON."""
        n, out = self.serial(), bytearray()
        while n:
            out.append(b" \t\r\n"[n % 4])
            n //= 4
        return bytes(out)


def rfc3339(ts_ms: int, offset_minutes: int) -> str:
    zone = timezone(timedelta(minutes=offset_minutes))
    text = datetime.fromtimestamp(ts_ms / 1000, zone).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _rare(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 15)) == 15


def _random_text(seed: int, size: int, alphabet: str | None) -> str:
    rng = random.Random(seed)
    if alphabet is not None:
        return "".join(rng.choices(alphabet, k=size))
    return "".join(chr(rng.randrange(1, 0x10000)) for _ in range(size))  # surrogates too


# -- values ---------------------------------------------------------------------------


def _in_range(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if schema["type"] == "boolean":
        return st.booleans()
    low, exclusive = schema["minimum"], "exclusiveMaximum" in schema
    high = schema["exclusiveMaximum"] if exclusive else schema["maximum"]
    integers = st.integers(math.ceil(low), math.floor(high) - (1 if exclusive else 0))
    if schema["type"] == "integer":
        return integers
    floats = st.floats(low, high, exclude_max=exclusive, allow_nan=False, allow_infinity=False)
    return st.one_of(floats, integers)


def _out_of_range(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    low = schema["minimum"]
    huge = [Raw("1e400"), Raw("-1e400"), Raw("1" + "0" * 400), Raw("-1" + "0" * 400)]
    if "exclusiveMaximum" in schema:
        high = schema["exclusiveMaximum"]
        above = st.floats(min_value=high, allow_nan=False, allow_infinity=False)
    else:
        high = schema["maximum"]
        above = st.floats(min_value=high, exclude_min=True, allow_infinity=False)
    below = st.floats(max_value=low, exclude_max=True, allow_infinity=False)
    if schema["type"] == "integer":
        above, below = st.integers(min_value=high + 1), st.integers(max_value=low - 1)
    return st.one_of(above, below, st.sampled_from(huge))


@st.composite
def _huge_string(draw: st.DrawFn) -> str:
    """About HUGE bytes once written as JSON (a lone surrogate takes six: `\\ud800`)."""
    unit = draw(st.sampled_from(["x", "\u00e9", "\ud800", "\x00", "tag-0001"]))
    return unit * (HUGE // (len(json.dumps(unit)) - 2))


@st.composite
def hostile_text(draw: st.DrawFn, *, allow_huge: bool = True) -> str:
    """Keys and ids no device has: odd, invalid in PostgreSQL text, long or huge."""
    choice = draw(st.integers(0, 7))
    if choice == 0:
        return draw(st.text(max_size=12))
    if choice == 1:
        return draw(st.sampled_from(["\ud800", "\udfff", "a\ud800b", "\udc00tag-0001"]))
    if choice == 2:
        return draw(st.sampled_from(["\x00", "tag-0001\x00", "\x00env", "temp_c\x00"]))
    if choice == 3:
        alphabet = draw(st.sampled_from([_ID_CHARS, None]))
        return _random_text(draw(st.integers(0, 2**32)), LONG, alphabet)
    if choice == 4:
        return draw(st.sampled_from(["TAG-0001", "tag-0001 ", " temp_c", "Temp_C", "tag 0001"]))
    if choice == 5:
        return draw(st.text(alphabet=_ID_CHARS, min_size=65, max_size=80))
    if choice == 6 and allow_huge and _rare(draw):
        return draw(_huge_string())
    return draw(st.sampled_from(["", "tag-9999", "env-ghost", "wind", "ts ", "seq2"]))


def _any_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**40), 2**40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
        st.just([]),
        st.just({"x_m": 1.0, "y_m": 1.0}),
    )


# -- readings -------------------------------------------------------------------------


@st.composite
def good_reading(
    draw: st.DrawFn, kind: str, device: str, stamps: Stamps, *, ts_optional: bool = True
) -> tuple[dict[str, Any], Reading]:
    spec = SPECS[kind]  # type: ignore[index]
    schemas = _SCHEMAS[kind]
    optional = [key for key in spec.keys if key not in spec.required]
    chosen = list(spec.required) + draw(
        st.lists(
            st.sampled_from(optional),
            unique=True,
            min_size=0 if spec.required else 1,
            max_size=len(optional),
        )
    )
    values: dict[str, Any] = {key: draw(_in_range(schemas[key])) for key in chosen}
    if draw(st.booleans()):
        values["seq"] = draw(st.integers(0, 2**32 - 1))
    forms = ["ms", "ms", "rfc3339", "future", "absent", "null"]
    form = draw(st.sampled_from(forms if ts_optional else forms[:4]))
    ts: int | None = None
    reading: dict[str, Any] = {}
    if form in ("ms", "rfc3339"):
        ts = stamps.ts()
        offset = draw(st.sampled_from([0, 480, -330, 345, 840, -720]))
        reading["ts"] = ts if form == "ms" else rfc3339(ts, offset)
    elif form == "future":
        ts = stamps.near_future()
        reading["ts"] = ts
    elif form == "null":
        reading["ts"] = None
    for key in draw(st.permutations(list(values))):
        reading[key] = values[key]
    return reading, Reading(kind, device, ts, tuple(values.items()))


@st.composite
def _bad_ts(draw: st.DrawFn) -> Any:
    # Strategies are drawn with fixed bounds; the clock only moves the values.
    now_ms = int(time.time() * 1000)
    ancient_ms = int(datetime(2001, 1, 1, tzinfo=UTC).timestamp() * 1000)
    form = draw(st.integers(0, 4))
    if form == 0:  # more than 5 minutes ahead
        return now_ms + draw(st.integers(3_600_000, 100 * 365 * 86_400_000))
    if form == 1:  # seconds, not milliseconds
        return draw(st.integers(0, 2_000_000_000))
    if form == 2:  # 2001-2010
        return ancient_ms + draw(st.integers(0, 300_000_000_000))
    if form == 3:
        return draw(st.integers(max_value=-1))
    odd = [
        "9999-12-31T23:59:59Z",
        rfc3339(now_ms + 86_400_000, 0),
        rfc3339(ancient_ms, 480),
        "yesterday",
        "",
        "2026-13-45T00:00:00Z",
        "2026-11-23T08:00:00",  # no offset
        "\ud800",
        Raw("1" + "0" * 400),
        Raw("1e400"),
        float(now_ms),
        True,
        [],
        {},
    ]
    return odd[draw(st.integers(0, len(odd) - 1))]


@st.composite
def bad_reading(draw: st.DrawFn, kind: str, device: str, stamps: Stamps) -> Any:
    """A reading that is one refused item, wherever it sits."""
    reading, _ = draw(good_reading(kind, device, stamps))
    spec = SPECS[kind]  # type: ignore[index]
    schemas = _SCHEMAS[kind]
    numeric = [key for key in spec.keys if schemas[key]["type"] != "boolean"]
    mutation = draw(
        st.sampled_from(
            ["range", "range", "type", "unknown", "ts", "seq", "nothing", "half", "not_object"]
        )
    )
    if mutation == "range":
        key = draw(st.sampled_from(numeric))
        reading[key] = draw(_out_of_range(schemas[key]))
    elif mutation == "type":
        key = draw(st.sampled_from(list(spec.keys)))
        wrong: list[Any] = {
            "boolean": [1, 0, "true", None, []],
            "integer": [2.5, 2.0, "3", True, None],
            "number": ["hot", "1.5", True, False, None, [], {}, [1.0]],
        }[schemas[key]["type"]]
        reading[key] = (
            draw(_huge_string()) if _rare(draw) else draw(st.sampled_from(wrong))  # 1 MB
        )
    elif mutation == "unknown":
        allowed = {*spec.keys, "ts", "seq"}
        key = draw(hostile_text().filter(lambda k: k not in allowed))
        reading[key] = draw(_any_value())
    elif mutation == "ts":
        reading["ts"] = draw(_bad_ts())
    elif mutation == "seq":
        reading["seq"] = draw(st.sampled_from([-1, 2**32, 1.5, "7", True, None, Raw("9" * 400)]))
    elif mutation == "nothing" or (mutation == "half" and kind != "tag"):
        for key in spec.measurements:
            reading.pop(key, None)
    elif mutation == "half":
        reading.pop(draw(st.sampled_from(["x_m", "y_m"])))
    else:
        return draw(st.sampled_from([5, "reading", None, True, 1.5]))
    return reading


@st.composite
def unreadable(draw: st.DrawFn, kind: str, device: str, stamps: Stamps) -> Any:
    """A reading that makes the whole payload unreadable as JSON."""
    reading, _ = draw(good_reading(kind, device, stamps, ts_optional=False))
    key = draw(st.sampled_from(list(reading)))
    how = draw(st.sampled_from(["duplicate", "duplicate", "deep", "long_int"]))
    if how == "deep":
        reading[key] = Raw("[" * DEEP + "]" * DEEP)
        return reading
    if how == "long_int":
        reading[key] = Raw("1" + "0" * 5000)  # past Python's 4,300-digit limit
        return reading
    # The same key twice, both values valid: last-wins would store it silently.
    again, _ = draw(good_reading(kind, device, stamps, ts_optional=False))
    items = list(reading.items())
    items.insert(draw(st.integers(0, len(items))), (key, again.get(key, reading[key])))
    return Pairs(tuple(items))


@st.composite
def readings_value(
    draw: st.DrawFn, kind: str, device: str, stamps: Stamps
) -> tuple[Any, Outcome, bool]:
    """One device's value in a payload: a reading or a batch. Returns the value, its
    outcome, and whether it makes the whole message unreadable."""
    shape = draw(
        st.sampled_from(["good", "good", "bad", "batch", "batch", "empty", "huge", "unreadable"])
    )
    if shape == "good":
        reading, expected = draw(good_reading(kind, device, stamps))
        return reading, Outcome((expected,)), False
    if shape == "bad":
        return draw(bad_reading(kind, device, stamps)), WHOLE, False
    if shape == "empty":
        return [], WHOLE, False
    if shape == "unreadable":
        return draw(unreadable(kind, device, stamps)), WHOLE, True
    if shape == "huge" and _rare(draw):
        reading, _ = draw(good_reading(kind, device, stamps, ts_optional=False))
        reading.pop("ts")
        return Raw("[" + ", ".join([to_json(reading)] * (MAX_BATCH + 1)) + "]"), WHOLE, False
    batch: list[Any] = []
    outcome = Outcome()
    for good in draw(st.lists(st.booleans(), min_size=1, max_size=6)):
        if good:  # each with its own ts: two without would share the receive time
            reading, expected = draw(good_reading(kind, device, stamps, ts_optional=False))
            batch.append(reading)
            outcome += Outcome((expected,))
        else:
            batch.append(draw(bad_reading(kind, device, stamps)))
            outcome += WHOLE
    return batch, outcome, False


# -- messages -------------------------------------------------------------------------


def _telemetry(site: str, kind: str, device: str) -> str:
    return f"site/{site}/{kind}/{device}/telemetry"


def _message(
    label: str,
    topic: str,
    text: str | bytes,
    outcome: Outcome,
    stamps: Stamps,
    qos: int = 1,
    *,
    retain: bool = False,
) -> FuzzMessage:
    body = text.encode() if isinstance(text, str) else text
    if MAX_PAYLOAD is not None and len(body) > MAX_PAYLOAD:
        label, outcome = f"{label}, oversize", WHOLE
    return FuzzMessage(label, topic, body + stamps.nonce(), outcome, qos, retain)


@st.composite
def device_message(draw: st.DrawFn, site: str, stamps: Stamps) -> FuzzMessage:
    device = draw(st.sampled_from(READING_DEVICES))
    kind = KIND_OF[device]
    topic = _telemetry(site, kind, device)
    qos = draw(st.sampled_from([1, 1, 1, 0]))
    if draw(st.integers(0, 9)) == 0:
        shape = draw(st.sampled_from(['"hello"', "5", "null", "true", "1e400"]))
        return _message("wrong shape", topic, shape, WHOLE, stamps, qos)
    value, outcome, unreadable_ = draw(readings_value(kind, device, stamps))
    label = "device, unreadable" if unreadable_ else "device"
    return _message(label, topic, to_json(value), WHOLE if unreadable_ else outcome, stamps, qos)


@st.composite
def gateway_message(draw: st.DrawFn, site: str, stamps: Stamps) -> FuzzMessage:
    gateway = draw(st.sampled_from(GATEWAYS))
    topic = _telemetry(site, "gateway", gateway)
    if draw(st.integers(0, 9)) == 0:
        shape = draw(st.sampled_from(["[]", "{}", '[{"tag-0001": {"x_m": 1, "y_m": 1}}]', '"x"']))
        return _message("gateway, wrong shape", topic, shape, WHOLE, stamps)
    own = list(CHILDREN[gateway])
    entries: list[tuple[str, Any]] = []
    outcome, whole = Outcome(), False
    for _ in range(draw(st.integers(1, 5))):
        registered: bool = draw(st.booleans())
        if own and registered:
            child = draw(st.sampled_from(own))
            own.remove(child)
            value, child_outcome, unreadable_ = draw(readings_value(KIND_OF[child], child, stamps))
            whole = whole or unreadable_
        else:  # a device it may not speak for, or an id no device has
            others = sorted(set(KIND_OF) - set(CHILDREN[gateway]))
            child = draw(st.one_of(st.sampled_from(others), hostile_text()))
            if child in CHILDREN[gateway] or any(child == c for c, _ in entries):
                continue
            value, child_outcome = draw(_any_value()), WHOLE
        entries.append((child, value))
        outcome += child_outcome
    if entries and draw(st.integers(0, 9)) == 0:  # a child id twice
        entries.append(entries[0])
        whole = True
    payload = to_json(Pairs(tuple(entries)))
    if whole or not entries:
        return _message("gateway, refused whole", topic, payload, WHOLE, stamps)
    return _message("gateway", topic, payload, outcome, stamps)


@st.composite
def status_message(draw: st.DrawFn, site: str, stamps: Stamps) -> FuzzMessage:
    device = draw(st.sampled_from(sorted(KIND_OF)))
    topic = f"site/{site}/{KIND_OF[device]}/{device}/status"
    good = ["online", "offline", '{"state": "online"}', '{"state":"offline"}']
    bad: list[Any] = [
        "sleepy",
        "ONLINE!",
        b"\xff\xfe",
        '{"state": 5}',
        '{"state": "\\ud800"}',
        '{"state": "online\\u0000"}',
        '{"state": ' + "[" * DEEP + "]" * DEEP + "}",
        "[" * DEEP + "]" * DEEP,
    ]
    retain = draw(st.booleans())
    if draw(st.booleans()):
        text = draw(st.sampled_from(good))
        outcome = Outcome()
    else:
        text = (
            to_json({"state": draw(_huge_string())}) if _rare(draw) else draw(st.sampled_from(bad))
        )
        outcome = WHOLE
    return _message("status", topic, text, outcome, stamps, retain=retain)


@st.composite
def misaddressed_message(draw: st.DrawFn, site: str, stamps: Stamps) -> FuzzMessage:
    """A topic ingest subscribes to but cannot take: unknown kind or device, a device
    under another kind, an id outside the allowed characters."""
    device = draw(st.sampled_from(READING_DEVICES))
    reading, _ = draw(good_reading(KIND_OF[device], device, stamps))
    level = draw(st.sampled_from(["kind", "device", "mismatch"]))
    if level == "kind":
        kind = draw(st.sampled_from(["bulldozer", "Crane", "", "t\u00e0g", "gateway "]))
        topic = _telemetry(site, kind, device)
    elif level == "device":
        odd = draw(
            st.one_of(
                st.sampled_from(["env-9999", "", "env 2f", "\u0113nv-2f-01", "env.2f"]),
                st.text(alphabet=_ID_CHARS, min_size=65, max_size=70),
            )
        )
        topic = _telemetry(site, KIND_OF[device], odd)
    else:
        other = draw(st.sampled_from(["crane", "tag", "env", "gateway"]))
        if other == KIND_OF[device]:
            other = "gateway"
        topic = _telemetry(site, other, device)
    return _message(f"misaddressed {level}", topic, to_json(reading), WHOLE, stamps)


@st.composite
def garbled_message(draw: st.DrawFn, site: str, stamps: Stamps) -> FuzzMessage:
    """Not UTF-8, or not JSON."""
    device = draw(st.sampled_from(READING_DEVICES))
    reading, _ = draw(good_reading(KIND_OF[device], device, stamps))
    text = to_json(reading).encode()
    topic = _telemetry(site, KIND_OF[device], device)
    how = draw(st.sampled_from(["bytes", "truncated", "constant", "trailing", "text"]))
    if how == "bytes":
        bad = draw(st.sampled_from([b"\xff", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82"]))
        at = draw(st.integers(0, len(text)))
        body = text[:at] + bad + text[at:]
    elif how == "truncated":
        body = text[: draw(st.integers(0, len(text) - 1))]
    elif how == "constant":
        key = next(iter(k for k in reading if k != "ts"))
        body = to_json({key: Raw(draw(st.sampled_from(["NaN", "Infinity", "-Infinity"])))}).encode()
    elif how == "trailing":
        body = text + draw(st.sampled_from([b"x", b"}", b",", b"\x00", b"{}"]))
    else:
        body = draw(st.text(max_size=40).filter(lambda t: not _parses_to_container(t))).encode(
            "utf-8", "surrogatepass"
        )
    return _message(f"garbled {how}", topic, body, WHOLE, stamps)


def _parses_to_container(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict | list)
    except ValueError:
        return False


def messages(site: str, stamps: Stamps) -> st.SearchStrategy[list[FuzzMessage]]:
    one = st.one_of(
        device_message(site, stamps),
        gateway_message(site, stamps),
        status_message(site, stamps),
        misaddressed_message(site, stamps),
        garbled_message(site, stamps),
    )
    return st.lists(one, min_size=1, max_size=MAX_MESSAGES)


def sentinel(site: str, stamps: Stamps) -> FuzzMessage:
    """A known-good reading, published last: once it is stored, so is all before it."""
    ts = stamps.ts()
    expected = Reading("env", "env-2f-01", ts, (("temp_c", 21.5),))
    payload = json.dumps({"ts": ts, "temp_c": 21.5}).encode()
    return FuzzMessage(
        "sentinel", _telemetry(site, "env", "env-2f-01"), payload, Outcome((expected,))
    )
