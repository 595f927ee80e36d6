"""What the integration tests share: service addresses, a publisher, waiting."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.runner import Runner
from core.settings import Settings
from ingest.service import IngestService
from rules.service import RulesService
from simulators.mqtt_out import Publisher
from simulators.site_sim import SiteSimulation
from sites.broker_auth import SIMULATOR_USER, device_password
from sites.site_file import SiteFile, parse_site_file

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent


def site_yaml(site_id: str) -> str:
    text = (REPO / "tests/data/site.yaml").read_text(encoding="utf-8")
    return text.replace("@SITE@", site_id)


def make_test_site(site_id: str) -> SiteFile:
    return parse_site_file(site_yaml(site_id), "tests/data/site.yaml")


@dataclass(frozen=True)
class Services:
    database_url: str
    mqtt_url: str
    mqtt_dir: Path

    def url_for(self, database: str) -> str:
        parts = urlsplit(self.database_url)
        return urlunsplit(parts._replace(path=f"/{database}"))


def mqtt_client(settings: Settings, user: str, client_id: str = "") -> mqtt.Client:
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
    )
    client.username_pw_set(user, device_password(settings.device_secret.get_secret_value(), user))
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    return client


@contextmanager
def publisher(settings: Settings, user: str = SIMULATOR_USER) -> Iterator[mqtt.Client]:
    client = mqtt_client(settings, user)
    client.connect(settings.mqtt.host, settings.mqtt.port)
    client.loop_start()
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


def publish(client: mqtt.Client, topic: str, payload: str | bytes, qos: int = 1) -> None:
    info = client.publish(topic, payload, qos=qos)
    info.wait_for_publish(timeout=10)
    if not info.is_published():
        msg = f"publish to {topic} was not acknowledged by the broker"
        raise AssertionError(msg)


def wait_for(
    probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 10.0, what: str = ""
) -> T:
    deadline = time.monotonic() + timeout
    value = probe()
    while not done(value):
        if time.monotonic() > deadline:
            msg = (
                f"timed out after {timeout} s waiting for {what or 'a condition'}; last: {value!r}"
            )
            raise AssertionError(msg)
        time.sleep(0.05)
        value = probe()
    return value


@contextmanager
def running_ingest(settings: Settings) -> Iterator[IngestService]:
    """The ingest service in a thread of the test process, subscribed before we publish."""
    service = IngestService(settings)
    with in_thread(Runner(settings, service)) as errors:
        # a wait, not a timing check: on a machine shared with other work the registry
        # load, the connection and the subscription have taken over 10 s
        if not service.consumer.subscribed.wait(30):
            msg = f"ingest did not subscribe within 30 s ({errors or 'no error'})"
            raise AssertionError(msg)
        yield service


@contextmanager
def running_rules(settings: Settings) -> Iterator[RulesService]:
    """The rules service in a thread of the test process, listening before we publish."""
    service = RulesService(settings)
    with in_thread(Runner(settings, service)) as errors:
        wait_for(lambda: service.listening.is_set() or bool(errors), bool, what="rules to listen")
        if errors:
            raise errors[0]
        yield service


@contextmanager
def running_pipeline(settings: Settings) -> Iterator[mqtt.Client]:
    """Ingest and rules running, and a publisher connected: readings in, alerts out."""
    with running_ingest(settings), running_rules(settings), publisher(settings) as client:
        yield client


@contextmanager
def in_thread(runner: Runner, stop_within_s: float = 30) -> Iterator[list[BaseException]]:
    """Run the runner in a thread; stop it afterwards, raise what it raised, and fail if
    it has not stopped within `stop_within_s`."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            runner.run()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    name = "+".join(service.name for service in runner.services)
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    try:
        yield errors
    finally:
        runner.request_stop()
        thread.join(stop_within_s)
        if errors:
            raise errors[0]
        assert not thread.is_alive(), f"{name} did not stop within {stop_within_s} s"


def sitepulse(settings: Settings, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """The command line as an operator runs it, against the test's database."""
    done = subprocess.run(
        [sys.executable, "-m", "sitepulse", *args],
        capture_output=True,
        text=True,
        env={
            "SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(),
            "PATH": "/usr/bin",
        },
        check=False,
    )
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def rows(conn: Any, query: str, *params: Any) -> list[tuple[Any, ...]]:
    return list(conn.execute(query, params).fetchall())


def in_the_2f_shaft(start: datetime, every_s: int = 3) -> list[dict[str, Any]]:
    """A tag's readings from `start`, every `every_s` for 12 s, standing in the shaft on 2F
    (a hazard zone of tests/data/site.yaml)."""
    return [
        {
            "ts": int((start + timedelta(seconds=i)).timestamp() * 1000),
            "x_m": 3.0,
            "y_m": 3.0,
            "floor": 2,
        }
        for i in range(0, 13, every_s)
    ]


def publish_steps(settings: Settings, simulation: SiteSimulation, steps: int) -> None:
    """Publish `steps` of a simulated site (a second each) as its devices would."""
    sim = Publisher(settings)
    try:
        for _ in range(steps):
            for message in simulation.step():
                sim.publish(message.topic, message.payload, retain=message.retain)
    finally:
        sim.close()
