"""A simulated site: cranes, workers' tags behind their gateways and environment sensors,
stepped one simulated second at a time; each step yields the MQTT messages its devices
would publish then. Deterministic: the same site, seed and start give the same bytes."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.topics import status_topic, telemetry_topic
from simulators.cranes import CraneSim
from simulators.environment import EnvironmentSim
from simulators.weather import Weather
from simulators.workers import WorkerSim
from sites.site_file import DeviceSpec, SiteFile

TICK = timedelta(seconds=1)
WORK_HOURS = (7.0, 18.0)
LUNCH = (12.0, 13.0)


@dataclass(frozen=True)
class Outgoing:
    topic: str
    payload: bytes
    retain: bool = False
    # (device, ts in ms) of each reading carried, for accounting in tests
    readings: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Intervals:
    crane_s: int = 1
    tag_s: int = 10
    env_s: int = 30


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class SiteSimulation:
    def __init__(
        self,
        site: SiteFile,
        seed: int,
        start: datetime,
        intervals: Intervals = Intervals(),
        dropouts_per_device_hour: float = 0.0,
    ) -> None:
        self.site = site
        self.site_id = site.site.id
        self.t = start
        self.intervals = intervals
        self.dropout_rate = dropouts_per_device_hour
        self.rng = random.Random(f"{seed}:site")
        self.weather = Weather(seed, site.site.timezone)
        top = max(f.elevation_m for f in site.floors)
        cranes = {c.id: c for c in site.cranes}
        self.cranes = [
            (d, CraneSim(cranes[d.id], seed, hook_top_m=top + 15.0))
            for d in site.devices
            if d.kind == "crane"
        ]
        self.workers = WorkerSim(site, seed)
        floors = {f.level: f for f in site.floors}
        self.environment = EnvironmentSim(
            [d for d in site.devices if d.kind == "env"],
            floors,
            {f.level for f in self.workers.front},
            seed,
            start,
        )
        self.gateways = [d for d in site.devices if d.kind == "gateway"]
        self.children: dict[str, list[str]] = {}
        for device in site.devices:
            if device.gateway:
                self.children.setdefault(device.gateway, []).append(device.id)
        self.worker_by_tag = {w.spec.tag: w for w in self.workers.workers}
        everyone = [d.id for d in site.devices]
        self.offset = {device_id: self.rng.randrange(3600) for device_id in everyone}
        self.offline_until: dict[str, datetime] = {}
        self.dropouts = 0
        self.kind_of = {d.id: d.kind for d in site.devices}
        self.connected = sorted(d.id for d in site.devices if d.kind != "tag")

    def run(self, until: datetime) -> Iterator[list[Outgoing]]:
        while self.t < until:
            yield self.step()

    def step(self) -> list[Outgoing]:
        self.t += TICK
        t = self.t
        second = int(t.timestamp())
        hour = self.weather.hour(t)
        working = WORK_HOURS[0] <= hour < WORK_HOURS[1] and not LUNCH[0] <= hour < LUNCH[1]
        out: list[Outgoing] = []
        out += self._presence(t)
        for device, sim in self.cranes:
            reading = sim.step(t, 1.0, self.weather, working)
            if self._due(device.id, second, self.intervals.crane_s) and self._up(device.id):
                out.append(self._single(device, reading, t))
        for sensor in self.environment.sensors:
            if self._due(sensor.spec.id, second, self.intervals.env_s) and self._up(sensor.spec.id):
                dt = float(self.intervals.env_s)
                reading = self.environment.reading(sensor, t, self.weather, working, dt)
                out.append(self._single(sensor.spec, reading, t))
        for gateway in self.gateways:
            batch: dict[str, list[dict[str, object]]] = {}
            for tag in self.children.get(gateway.id, []):
                worker = self.worker_by_tag.get(tag)
                if worker is None or not self._due(tag, second, self.intervals.tag_s):
                    continue
                position = self.workers.reading(worker, t, hour, float(self.intervals.tag_s))
                if position is not None:
                    batch[tag] = [{"ts": ms(t), **position}]
            if batch and self._up(gateway.id):
                out.append(
                    Outgoing(
                        telemetry_topic(self.site_id, "gateway", gateway.id),
                        _json(batch),
                        readings=tuple((tag, ms(t)) for tag in batch),
                    )
                )
        return out

    def _due(self, device_id: str, second: int, every_s: int) -> bool:
        return (second + self.offset[device_id]) % every_s == 0

    def _up(self, device_id: str) -> bool:
        return device_id not in self.offline_until

    def _single(self, device: DeviceSpec, reading: dict[str, float], t: datetime) -> Outgoing:
        return Outgoing(
            telemetry_topic(self.site_id, device.kind, device.id),
            _json({"ts": ms(t), **reading}),
            readings=((device.id, ms(t)),),
        )

    def _presence(self, t: datetime) -> list[Outgoing]:
        """Devices drop out (the broker publishes their Last Will) and come back."""
        out = []
        for device_id, until in list(self.offline_until.items()):
            if t >= until:
                del self.offline_until[device_id]
                out.append(self._status(device_id, "online"))
        # Tags are not connected themselves: their gateway drops out for them.
        if self.rng.random() < self.dropout_rate * len(self.connected) / 3600:
            device_id = self.rng.choice(self.connected)
            if device_id not in self.offline_until:
                self.offline_until[device_id] = t + timedelta(seconds=self.rng.uniform(120, 1200))
                self.dropouts += 1
                out.append(self._status(device_id, "offline"))
        return out

    def _status(self, device_id: str, state: str) -> Outgoing:
        kind = self.kind_of[device_id]
        return Outgoing(status_topic(self.site_id, kind, device_id), state.encode(), retain=True)
