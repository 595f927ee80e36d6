"""Ingest against whatever is published. Hypothesis draws valid, mutated and hostile
messages (tests/fuzz_payloads.py) and publishes them through a Mosquitto of this module's
own (hostile retained messages stay off the shared broker) to one `sitepulse ingest`
process; after each example ingest is alive, each valid reading is stored once with the
values sent, each refused message has its dead letters, nothing else was stored, and a
reading published last is stored. Then one test per hostile message that once stopped
ingest or lost data.

The default run is the same few examples every time; SITEPULSE_FUZZ_EXAMPLES=500 runs
that many random ones, SITEPULSE_FUZZ_SHRINK=1 shrinks a failing example to its smallest
(each failing try may restart ingest: minutes)."""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from core.db import Connection
from core.settings import Settings
from core.wire import SPECS
from sites.broker_auth import SIMULATOR_USER
from sites.site_file import SiteFile
from tests.fuzz_payloads import FuzzMessage, Outcome, Reading, Stamps, messages, sentinel
from tests.helpers import Services, mqtt_client
from tests.ingest_accounting import (
    letter_reasons,
    letters_per_message,
    payload_copies,
    sha256,
    stored_since,
    stored_values,
)
from tests.ingest_process import IngestSubprocess
from tests.private_broker import PrivateBroker

EXAMPLES = int(os.environ.get("SITEPULSE_FUZZ_EXAMPLES", "50"))
SHRINK = bool(os.environ.get("SITEPULSE_FUZZ_SHRINK"))
SYNC_S = 20.0  # for the reading published last to be stored


@pytest.fixture(scope="module")
def broker(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    credentials = Settings(mqtt_url=SecretStr(services.mqtt_url))
    private = PrivateBroker(credentials, tmp_path_factory.mktemp("broker"))
    private.start()
    yield private
    private.stop()


class Rig:
    """One ingest process, a publisher, and the accounting of what they did."""

    def __init__(self, settings: Settings, conn: Connection, log_dir: Path) -> None:
        self.settings = settings
        self.conn = conn
        self.site = settings.ingest_site_filter
        self.stamps = Stamps()
        self._log_dir = log_dir
        self._sessions = 0
        self._retained: set[str] = set()
        self.ingest = self._start_ingest()
        self._pub = mqtt_client(settings, SIMULATOR_USER)
        self._pub.connect(settings.mqtt.host, settings.mqtt.port)
        self._pub.loop_start()
        self.sync()  # subscribed

    def _start_ingest(self, *, new_session: bool = True) -> IngestSubprocess:
        if new_session:
            self._sessions += 1
        client_id = f"ingest-{self.site}-{self._sessions}"
        return IngestSubprocess(self.settings, client_id, self._log_dir / f"{client_id}.log")

    def restart(self, *, new_session: bool = False) -> None:
        """SIGTERM and start again: in the same broker session (what it had not
        acknowledged comes back) or a new one (retained statuses come again)."""
        code = self.ingest.stop()
        assert code == 0, self.ingest.death()
        self.ingest = self._start_ingest(new_session=new_session)

    def publish(self, message: FuzzMessage) -> None:
        info = self._pub.publish(message.topic, message.payload, message.qos, message.retain)
        if message.retain:
            self._retained.add(message.topic)
        if message.qos:
            info.wait_for_publish(timeout=30)
            assert info.is_published(), f"the broker did not acknowledge {message!r}"

    def sync(self, timeout: float = SYNC_S) -> FuzzMessage:
        """Publish a known-good reading and wait for it: what came before is done."""
        last = sentinel(self.site, self.stamps)
        self.publish(last)
        (reading,) = last.outcome.stored
        assert reading.ts is not None
        deadline = time.monotonic() + timeout
        while not stored_values(self.conn, "env", reading.device, reading.ts):
            assert self.ingest.alive(), self.ingest.death()
            if time.monotonic() > deadline:
                msg = (
                    f"ingest is alive but stored nothing more for {timeout:g} s (a reading"
                    f" published last is missing); its log ends:\n{self.ingest.tail()}"
                )
                raise AssertionError(msg)
            time.sleep(0.05)
        return last

    def clear_retained(self) -> None:
        for topic in sorted(self._retained):
            self._pub.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
        self._retained.clear()

    def close(self) -> None:
        self.clear_retained()
        self._pub.disconnect()
        self._pub.loop_stop()
        self.ingest.stop()

    def run(self, sent: list[FuzzMessage]) -> None:
        """Publish, wait, account: raise naming each message ingest got wrong."""
        if not self.ingest.alive():  # killed by an earlier example (shrinking)
            self.ingest = self._start_ingest()
        since = datetime.now(UTC)
        try:
            for message in sent:
                self.publish(message)
            last = self.sync()
            account(self.conn, [*sent, last], since)
            assert self.ingest.alive(), self.ingest.death()
        finally:
            self.clear_retained()


@pytest.fixture
def rig(
    settings: Settings,
    conn: Connection,
    loaded_site: SiteFile,
    broker: PrivateBroker,
    tmp_path: Path,
) -> Iterator[Rig]:
    rig = Rig(broker.settings(settings), conn, tmp_path)
    try:
        yield rig
    finally:
        rig.close()


def account(conn: Connection, sent: list[FuzzMessage], since: datetime) -> None:
    expected_stored = Counter((r.device, r.ts) for m in sent for r in m.outcome.stored)
    expected_letters = Counter({sha256(m.payload): m.outcome.refused for m in sent})
    expected_letters += Counter()  # drop the zeros

    def probe() -> tuple[Counter[tuple[str, int | None]], Counter[bytes]]:
        return stored_since(conn, since), letters_per_message(conn, [m.payload for m in sent])

    deadline = time.monotonic() + 5  # QoS 0 and status messages take their own path
    stored, letters = probe()
    while (stored, letters) != (expected_stored, expected_letters):
        if time.monotonic() > deadline:
            raise AssertionError(_explain(sent, stored, letters))
        time.sleep(0.1)
        stored, letters = probe()
    wrong = [
        f"{reading}: stored as {row}"
        for m in sent
        for reading in m.outcome.stored
        if reading.ts is not None
        and not _same_values(
            reading, row := stored_values(conn, reading.kind, reading.device, reading.ts)
        )
    ]
    assert not wrong, "readings stored with other values than sent:\n" + "\n".join(wrong)


def _same_values(reading: Reading, row: dict[str, object]) -> bool:
    sent = dict(reading.values)
    spec = SPECS[reading.kind]  # type: ignore[index]
    for column in (*spec.keys, "seq"):
        if column == "floor" and column not in sent:
            continue  # derived from z_m where not sent
        value, stored = sent.get(column), row.get(column)
        if value is None or isinstance(value, bool):
            if stored is not value:
                return False
        elif stored is None or float(stored) != float(value):  # type: ignore[arg-type]
            return False
    return True


def _explain(
    sent: list[FuzzMessage], stored: Counter[tuple[str, int | None]], letters: Counter[bytes]
) -> str:
    lines = ["ingest's outcome differs from what the contract gives these messages:"]
    claimed: Counter[tuple[str, int | None]] = Counter()
    for i, message in enumerate(sent):
        keys = Counter((r.device, r.ts) for r in message.outcome.stored)
        claimed += keys
        missing = [key for key in keys if stored[key] < keys[key]]
        got_letters = letters[sha256(message.payload)]
        if missing or got_letters != message.outcome.refused:
            lines.append(
                f"  #{i} {message!r}\n      readings not stored: {missing or 'none'};"
                f" dead letters: {got_letters}, expected {message.outcome.refused}"
            )
    extra = stored - claimed
    if extra:
        shown = sorted(extra.items(), key=str)[:20]
        lines.append(f"  stored, though refused by the contract (device, ts): {shown}")
    return "\n".join(lines)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="SITEPULSE_FUZZ_EXAMPLES" not in os.environ,
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one ingest and one database for all examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@FUZZ
@given(data=st.data())
def test_whatever_is_published_each_reading_is_stored_once_or_refused_and_ingest_goes_on(
    rig: Rig, data: st.DataObject
) -> None:
    rig.run(data.draw(messages(rig.site, rig.stamps), label="messages"))


# -- one test per hostile message that once stopped ingest or lost data --------------------


def _message(
    rig: Rig,
    path: str,
    payload: bytes,
    stored: tuple[Reading, ...] = (),
    refused: int = 1,
    *,
    retain: bool = False,
) -> FuzzMessage:
    topic = f"site/{rig.site}/{path}"
    return FuzzMessage(path, topic, payload, Outcome(stored, refused), retain=retain)


def _tag(rig: Rig, device: str) -> tuple[dict[str, object], Reading]:
    ts = rig.stamps.ts()
    return {"ts": ts, "x_m": 3.0, "y_m": 4.0}, Reading(
        "tag", device, ts, (("x_m", 3.0), ("y_m", 4.0))
    )


def test_a_retained_5000_deep_status_is_refused_and_kills_ingest_neither_then_nor_on_restart(
    rig: Rig,
) -> None:
    deep = b'{"state": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    status = _message(rig, "env/env-2f-01/status", deep, retain=True)
    since = datetime.now(UTC)
    rig.publish(status)
    synced = [rig.sync()]
    rig.restart()  # the same session: a message not acknowledged comes back
    synced.append(rig.sync())
    rig.restart(new_session=True)  # a new subscription: the retained message comes again
    synced.append(rig.sync())
    account(rig.conn, [status, *synced], since)  # one dead letter, however often it came


def test_a_gateway_child_id_that_is_a_lone_surrogate_is_refused_and_its_siblings_stored(
    rig: Rig,
) -> None:
    (one, first), (two, second) = _tag(rig, "tag-0001"), _tag(rig, "tag-0002")
    payload = json.dumps({"tag-0001": one, "\ud800": {"x_m": 1, "y_m": 1}, "tag-0002": [two]})
    assert "\\ud800" in payload
    message = _message(rig, "gateway/gw-01/telemetry", payload.encode(), (first, second))
    rig.run([message])


def test_a_3000_character_child_id_is_refused_and_ingest_goes_on(rig: Rig) -> None:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    long_id = "".join(random.Random(12).choices(alphabet, k=3000))
    one, first = _tag(rig, "tag-0001")
    payload = json.dumps({long_id: {"x_m": 1, "y_m": 1}, "tag-0001": one}).encode()
    message = _message(rig, "gateway/gw-01/telemetry", payload, (first,))
    rig.run([message])


def test_a_nul_in_one_gateway_child_id_loses_none_of_the_children_beside_it(rig: Rig) -> None:
    (one, first), (two, second) = _tag(rig, "tag-0001"), _tag(rig, "tag-0002")
    payload = json.dumps({"tag-0001": one, "tag\u0000-0003": {"x_m": 1, "y_m": 1}, "tag-0002": two})
    assert "\\u0000" in payload
    message = _message(rig, "gateway/gw-01/telemetry", payload.encode(), (first, second))
    rig.run([message])


def test_a_key_twice_in_one_object_is_refused_naming_the_key_not_stored_last_wins(
    rig: Rig,
) -> None:
    ts = [rig.stamps.ts() for _ in range(4)]
    twice = {
        "temp_c": _message(
            rig, "env/env-2f-01/telemetry", b'{"ts": %d, "temp_c": 20.5, "temp_c": 21.5}' % ts[0]
        ),
        "tag-0001": _message(
            rig,
            "gateway/gw-01/telemetry",
            b'{"tag-0001": {"ts": %d, "x_m": 1, "y_m": 1},'
            b' "tag-0001": {"ts": %d, "x_m": 2, "y_m": 2}}' % (ts[1], ts[2]),
        ),
        "ts": _message(
            rig, "crane/tc-1/telemetry", b'{"ts": %d, "wind_mps": 3.5, "ts": %d}' % (ts[3], ts[0])
        ),
    }
    rig.run(list(twice.values()))
    for key, message in twice.items():
        reasons = [reason for _, reason in letter_reasons(rig.conn, message.payload)]
        assert any("duplicate" in r and repr(key) in r for r in reasons), (key, reasons)


def test_a_batch_of_10000_out_of_range_readings_keeps_its_payload_once(rig: Rig) -> None:
    payload = json.dumps([{"temp_c": 99.5}] * 10_000).encode()
    since = datetime.now(UTC)
    rig.publish(_message(rig, "env/env-2f-01/telemetry", payload, refused=10_000))
    last = rig.sync(timeout=120)
    assert stored_since(rig.conn, since) == Counter((r.device, r.ts) for r in last.outcome.stored)
    letters = letters_per_message(rig.conn, [payload])[sha256(payload)]
    copies = payload_copies(rig.conn, payload)
    assert (copies, letters <= 1000) == (1, True), (
        f"{letters} dead letters and {copies} copies of the {len(payload):,}-byte payload"
        " for one message (expected: the payload once, the letters capped)"
    )
    assert any("temp_c=99.5 above 80" in r for _, r in letter_reasons(rig.conn, payload))
