"""The broker's password file and ACL, written from the registry, used by real Mosquitto."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from core.db import Connection
from core.settings import Settings
from sites import broker_auth
from sites.site_file import SiteFile
from tests.helpers import mqtt_client


@pytest.fixture
def credentials(settings: Settings, conn: Connection, loaded_site: SiteFile) -> None:
    accounts = broker_auth.registry_accounts(conn)
    # the shared test broker: the other tests publish as the simulator
    assert broker_auth.write_credentials_for(settings, accounts, with_simulator=True)
    time.sleep(0.3)  # SIGHUP is handled asynchronously by the broker


def puback_reason(client: mqtt.Client, topic: str) -> int:
    done = threading.Event()
    reasons: list[int] = []

    def on_publish(_c: mqtt.Client, _u: object, _mid: int, reason: ReasonCode, _p: object) -> None:
        reasons.append(reason.value)
        done.set()

    client.on_publish = on_publish
    client.publish(topic, b'{"temp_c": 20}', qos=1)
    assert done.wait(5), f"no PUBACK for {topic}"
    return reasons[0]


def test_a_device_publishes_under_its_own_id_and_is_refused_under_another(
    settings: Settings, site_id: str, credentials: None
) -> None:
    watcher = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    endpoint = settings.mqtt
    assert endpoint.username
    assert endpoint.password
    watcher.username_pw_set(endpoint.username, endpoint.password.get_secret_value())
    seen: list[str] = []
    subscribed = threading.Event()
    watcher.on_message = lambda _c, _u, m: seen.append(m.topic)
    watcher.on_subscribe = lambda *_: subscribed.set()
    watcher.on_connect = lambda c, *_: c.subscribe(f"site/{site_id}/#", qos=1)
    client = mqtt_client(settings, "env-2f-01")
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    for c in (watcher, client):
        c.connect(endpoint.host, endpoint.port)
        c.loop_start()
    try:
        assert subscribed.wait(5)
        assert connected.wait(5)
        own = f"site/{site_id}/env/env-2f-01/telemetry"
        other = f"site/{site_id}/env/env-3f-01/telemetry"
        assert puback_reason(client, own) == 0
        assert puback_reason(client, other) == 135  # Not authorized
        time.sleep(0.3)
        assert seen == [own]
    finally:
        for c in (watcher, client):
            c.disconnect()
            c.loop_stop()


def test_wrong_password_and_unknown_user_are_refused(settings: Settings, credentials: None) -> None:
    for user, password in (("env-2f-01", "wrong"), ("nobody", "x")):
        client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.username_pw_set(user, password)
        refused: list[ReasonCode] = []
        client.on_connect = lambda _c, _u, _f, reason, _p, seen=refused: seen.append(reason)
        client.connect(settings.mqtt.host, settings.mqtt.port)
        client.loop_start()
        deadline = time.monotonic() + 5
        while not refused and time.monotonic() < deadline:
            time.sleep(0.05)
        client.loop_stop()
        assert refused, f"no CONNACK for {user}"
        assert refused[0].is_failure, f"{user} was let in"
