"""Paced streams of env readings from publisher processes of their own, counting what the
broker acknowledged: the load of the outage tests. Each reading has its own (device, ts),
so that the number stored says what was lost; a publisher rides out a broker restart
(paho resends what was not acknowledged)."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from dataclasses import dataclass, replace

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.settings import Settings
from sites.broker_auth import SIMULATOR_USER, device_password
from sites.site_file import SiteFile

DEVICES = 100


def device_id(n: int) -> str:
    return f"env-{n % DEVICES:03d}"


def env_site(site_id: str) -> SiteFile:
    return SiteFile.model_validate(
        {
            "site": {"id": site_id, "name": "Outages", "timezone": "Asia/Shanghai"},
            "floors": [{"level": 1, "name": "1F", "elevation_m": 0.0}],
            "devices": [{"id": device_id(n), "kind": "env", "floor": 1} for n in range(DEVICES)],
        }
    )


@dataclass(frozen=True)
class Stream:
    host: str
    port: int
    password: str
    site: str
    messages: int
    rate: float  # messages/s
    qos: int = 1
    readings: int = 1  # per message; more than one: a batch
    first_device: int = 0
    devices: int = DEVICES


def publish_stream(stream: Stream) -> int:
    """Publish, then wait for the broker: the number of messages it acknowledged (QoS 1)
    or that were written to it (QoS 0)."""
    done = [0]
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(SIMULATOR_USER, stream.password)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)

    def on_publish(*_: object) -> None:
        done[0] += 1

    client.on_publish = on_publish
    client.connect(stream.host, stream.port)
    client.loop_start()
    last: dict[int, int] = {}
    start = time.perf_counter()
    for n in range(stream.messages):
        device = stream.first_device + n % stream.devices
        ts = max(int(time.time() * 1000), last.get(device, 0) + 1)
        last[device] = ts + stream.readings - 1
        items = [b'{"ts":%d,"temp_c":%.1f}' % (ts + i, 15 + n % 20) for i in range(stream.readings)]
        payload = items[0] if stream.readings == 1 else b"[" + b",".join(items) + b"]"
        client.publish(f"site/{stream.site}/env/{device_id(device)}/telemetry", payload, stream.qos)
        ahead = start + (n + 1) / stream.rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
    deadline = time.monotonic() + 300
    while done[0] < stream.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    client.disconnect()
    client.loop_stop()
    return done[0]


class Streams:
    """`messages` in all at `rate` msg/s from `procs` processes, in the background."""

    def __init__(
        self,
        settings: Settings,
        site: str,
        messages: int,
        rate: float,
        procs: int = 2,
        **options: int,
    ) -> None:
        endpoint = settings.mqtt
        password = device_password(settings.device_secret.get_secret_value(), SIMULATOR_USER)
        per = DEVICES // procs
        base = Stream(
            endpoint.host, endpoint.port, password, site, messages // procs, rate / procs, **options
        )
        self.messages = base.messages * procs
        self.readings = self.messages * base.readings
        self._jobs = [replace(base, first_device=p * per, devices=per) for p in range(procs)]
        self._done: list[int] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with mp.get_context("spawn").Pool(len(self._jobs)) as pool:
            self._done = pool.map(publish_stream, self._jobs)

    def join(self, timeout: float = 900) -> int:
        """Messages the broker took, once every publisher has finished."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the publishers did not finish"
        return sum(self._done)
