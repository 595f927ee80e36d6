"""Load mode: N devices publishing as fast as they can, or at a rate, single readings or
gateway messages of 100, from several processes (each its own MQTT connection). Used by
bench/ and by `sitepulse simulate --load`."""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.settings import Settings
from sites.broker_auth import SIMULATOR_USER, device_password
from sites.site_file import SiteFile

ENV_DEVICES = 1000
GATEWAYS = 20
TAGS_PER_GATEWAY = 100


@dataclass(frozen=True)
class Job:
    host: str
    port: int
    password: str
    site: str
    mode: str  # "single" | "gateway"
    first: int  # index of this publisher's first device
    devices: int
    messages: int
    rate: float  # messages/s for this publisher; 0 = as fast as it can


def load_site(site_id: str) -> SiteFile:
    """A plain site for load: ENV_DEVICES env sensors, GATEWAYS gateways with their tags."""
    devices: list[dict[str, object]] = [
        {"id": f"env-b-{i:04d}", "kind": "env", "floor": 1} for i in range(ENV_DEVICES)
    ]
    devices.append({"id": "env-probe", "kind": "env", "floor": 1})  # latency probe
    for g in range(GATEWAYS):
        devices.append({"id": f"gw-b-{g:02d}", "kind": "gateway"})
        devices += [
            {"id": f"tag-b-{g:02d}-{t:03d}", "kind": "tag", "gateway": f"gw-b-{g:02d}"}
            for t in range(TAGS_PER_GATEWAY)
        ]
    return SiteFile.model_validate(
        {
            "site": {"id": site_id, "name": "Load", "timezone": "Asia/Shanghai"},
            "floors": [{"level": 1, "name": "1F", "elevation_m": 0.0}],
            "devices": devices,
        }
    )


def publish_job(job: Job) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(SIMULATOR_USER, job.password)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(job.host, job.port)
    client.loop_start()
    last: dict[int, int] = {}
    infos = []
    start = time.perf_counter()
    for n in range(job.messages):
        device = job.first + n % job.devices
        now_ms = int(time.time() * 1000)
        ts = max(now_ms, last.get(device, 0) + 1)
        last[device] = ts
        if job.mode == "single":
            topic = f"site/{job.site}/env/env-b-{device:04d}/telemetry"
            payload = b'{"ts":%d,"temp_c":%.1f,"rh_pct":55}' % (ts, 15 + device % 20)
        else:
            g = device % GATEWAYS
            topic = f"site/{job.site}/gateway/gw-b-{g:02d}/telemetry"
            payload = json.dumps(
                {
                    f"tag-b-{g:02d}-{t:03d}": {"ts": ts, "x_m": t * 0.5, "y_m": 3.0, "floor": 1}
                    for t in range(TAGS_PER_GATEWAY)
                },
                separators=(",", ":"),
            ).encode()
        infos.append(client.publish(topic, payload, qos=1))
        if job.rate:
            ahead = start + (n + 1) / job.rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    for info in infos:
        info.wait_for_publish(timeout=300)
    client.disconnect()
    client.loop_stop()


def run_publishers(
    settings: Settings, site: str, mode: str, messages: int, procs: int, rate: float = 0.0
) -> None:
    endpoint = settings.mqtt
    password = device_password(settings.device_secret.get_secret_value(), SIMULATOR_USER)
    devices = ENV_DEVICES if mode == "single" else GATEWAYS
    per = devices // procs
    jobs = [
        Job(
            endpoint.host,
            endpoint.port,
            password,
            site,
            mode,
            p * per,
            per,
            messages // procs,
            rate / procs,
        )
        for p in range(procs)
    ]
    with mp.get_context("spawn").Pool(procs) as pool:
        pool.map(publish_job, jobs)
