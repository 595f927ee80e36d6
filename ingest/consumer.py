"""The MQTT side of ingest: a persistent MQTT 5 session with manual acknowledgement.
The network thread only appends to an inbox; the service's thread does the rest."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections import deque
from typing import Any, NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from core.settings import Settings

log = logging.getLogger(__name__)


class Inbound(NamedTuple):
    mid: int
    qos: int
    topic: str
    payload: bytes
    retained: bool
    received_at: float


class Inbox:
    """Messages received and not yet decoded: appended by paho's network thread, taken by
    the service's. QoS 1 messages are bounded by the Receive Maximum (the broker holds the
    rest); QoS 0 messages, which the broker does not hold for us, are dropped and counted
    past `max_bytes`, so that a flood while the database is away cannot exhaust memory."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.dropped = 0
        self._items: deque[Inbound] = deque()
        self._lock = threading.Lock()
        self._warned_at = 0.0

    def put(self, message: Inbound) -> None:
        size = len(message.payload)
        with self._lock:
            if message.qos == 0 and self.bytes + size > self.max_bytes:
                self.dropped += 1
                dropped = self.dropped
            else:
                self._items.append(message)
                self.bytes += size
                return
        if message.received_at - self._warned_at >= 10:
            self._warned_at = message.received_at
            log.warning(
                "inbox full (%d bytes): QoS 0 messages dropped (%d so far)", self.bytes, dropped
            )

    def take(self) -> Inbound | None:
        with self._lock:
            if not self._items:
                return None
            message = self._items.popleft()
            self.bytes -= len(message.payload)
            return message

    def __len__(self) -> int:
        return len(self._items)


def subscriptions(settings: Settings) -> list[tuple[str, SubscribeOptions]]:
    site = settings.ingest_site_filter
    telemetry = f"site/{site}/+/+/telemetry"
    if settings.ingest_shared_subscription:
        telemetry = f"$share/{settings.ingest_group}/{telemetry}"
    # Status is not shared: every ingest process sees every Last Will (and the retained
    # ones when its subscription is new; shared subscriptions never get retained messages).
    status = f"site/{site}/+/+/status"
    return [
        (telemetry, SubscribeOptions(qos=1)),
        (status, SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB)),
    ]


def stale_subscriptions(settings: Settings) -> list[str]:
    """Filters a resumed session may still hold from an earlier configuration of this
    process: every site's (when now for one site), the other form of sharing."""
    current = {topic for topic, _ in subscriptions(settings)}
    earlier = [
        settings.model_copy(update=change)
        for change in (
            {"ingest_site_filter": "+"},
            {"ingest_shared_subscription": not settings.ingest_shared_subscription},
            {
                "ingest_site_filter": "+",
                "ingest_shared_subscription": not settings.ingest_shared_subscription,
            },
        )
    ]
    return sorted({t for other in earlier for t, _ in subscriptions(other)} - current)


class Consumer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.inbox = Inbox(settings.ingest_inbox_max_bytes)
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=settings.ingest_client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        endpoint = settings.mqtt
        if endpoint.username:
            password = endpoint.password.get_secret_value() if endpoint.password else None
            self.client.username_pw_set(endpoint.username, password)
        if endpoint.tls:
            self.client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        put = self.inbox.put
        now = time.time

        def on_message(_client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
            try:
                topic = message.topic
            except UnicodeDecodeError:  # brokers check topics are UTF-8; be sure anyway
                topic = message._topic.decode("utf-8", "replace")
            payload = bytes(message.payload)
            put(Inbound(message.mid, message.qos, topic, payload, message.retain, now()))

        self.client.on_message = on_message

    def start(self) -> None:
        endpoint = self.settings.mqtt
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self.settings.ingest_session_expiry_s
        properties.ReceiveMaximum = self.settings.ingest_receive_maximum
        self.client.connect_async(
            endpoint.host, endpoint.port, keepalive=30, clean_start=False, properties=properties
        )
        self.client.loop_start()

    def ack(self, messages: list[Inbound]) -> None:
        for message in messages:
            if message.qos:
                self.client.ack(message.mid, message.qos)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the connection: %s", reason)
            return
        log.info(
            "connected to %s:%s as %s (session %s)",
            self.settings.mqtt.host,
            self.settings.mqtt.port,
            self.settings.ingest_client_id,
            "resumed" if flags.session_present else "new",
        )
        self.connected.set()
        stale = stale_subscriptions(self.settings)
        if flags.session_present and stale:
            # A resumed session keeps the subscriptions it had: when this process was
            # narrowed from every site to one, the old all-sites ones would go on
            # feeding it every other site's messages.
            client.unsubscribe(stale)
        client.subscribe(subscriptions(self.settings))

    def _on_subscribe(
        self,
        _client: mqtt.Client,
        _userdata: Any,
        _mid: int,
        reasons: list[ReasonCode],
        _properties: Properties | None,
    ) -> None:
        failed = [str(reason) for reason in reasons if reason.is_failure]
        if failed:
            log.error("broker refused the subscriptions: %s", ", ".join(failed))
            return
        self.subscribed.set()

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: Any,
        _flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if reason.is_failure:
            log.warning("disconnected from the broker: %s; reconnecting", reason)
        else:
            log.info("disconnected from the broker")
