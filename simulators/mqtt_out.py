"""Publishing simulated traffic to a real broker, as the simulator account."""

from __future__ import annotations

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.settings import Settings
from sites.broker_auth import SIMULATOR_USER, device_password


class Publisher:
    def __init__(self, settings: Settings, client_id: str = "") -> None:
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
        )
        secret = settings.device_secret.get_secret_value()
        self.client.username_pw_set(SIMULATOR_USER, device_password(secret, SIMULATOR_USER))
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self._infos: list[mqtt.MQTTMessageInfo] = []
        endpoint = settings.mqtt
        self.client.connect(endpoint.host, endpoint.port)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes, *, retain: bool = False, qos: int = 1) -> None:
        self._infos.append(self.client.publish(topic, payload, qos=qos, retain=retain))
        if len(self._infos) > 10_000:
            self._infos = [info for info in self._infos if not info.is_published()]

    def close(self, timeout: float = 120.0) -> None:
        """Wait until the broker has acknowledged everything, then disconnect."""
        for info in self._infos:
            info.wait_for_publish(timeout=timeout)
        self.client.disconnect()
        self.client.loop_stop()
