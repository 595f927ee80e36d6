"""A Mosquitto of one test's own, from the project's configuration template, with its
persistence in the test's directory: restarted, flooded or left holding hostile retained
messages without touching the broker every other test shares."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from pydantic import SecretStr

from core.settings import Settings
from sites.broker_auth import render_files
from tests.helpers import REPO

TEMPLATE = REPO / "deploy/mosquitto/mosquitto.conf.in"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateBroker:
    def __init__(self, settings: Settings, directory: Path, *, max_queued_messages: int = 0):
        """`max_queued_messages` (0: the template's) sizes the backlog a session may hold."""
        self.directory = directory
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        endpoint = settings.mqtt
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "data").mkdir(exist_ok=True)
        passwd, acl = render_files(
            secret=settings.device_secret.get_secret_value(),
            ingest_user=endpoint.username or "sitepulse-ingest",
            ingest_password=endpoint.password.get_secret_value() if endpoint.password else "",
            devices=[],
            with_simulator=True,  # the tests publish as the simulator
        )
        (directory / "passwd").write_text(passwd, encoding="utf-8")
        (directory / "acl").write_text(acl, encoding="utf-8")
        config = TEMPLATE.read_text(encoding="utf-8")
        config = config.replace("@PORT@", str(self.port)).replace("@DIR@", str(directory))
        # The files above belong to whoever runs the tests; so does the broker.
        user = "root" if os.geteuid() == 0 else ""
        config = config.replace("user mosquitto", f"user {user}" if user else "")
        if max_queued_messages:
            config = config.replace(
                "max_queued_messages 2000000", f"max_queued_messages {max_queued_messages}"
            )
        (directory / "mosquitto.conf").write_text(config, encoding="utf-8")
        self.url = (
            f"mqtt://{endpoint.username}:{endpoint.password.get_secret_value()}"
            f"@127.0.0.1:{self.port}"
            if endpoint.password
            else f"mqtt://127.0.0.1:{self.port}"
        )

    def settings(self, settings: Settings) -> Settings:
        """`settings` pointing at this broker."""
        return settings.model_copy(update={"mqtt_url": SecretStr(self.url)})

    @property
    def pid(self) -> int:
        assert self._proc is not None, "the broker is not running"
        return self._proc.pid

    def start(self) -> None:
        self._proc = subprocess.Popen(
            ["mosquitto", "-c", str(self.directory / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "mosquitto.log").read_text(errors="replace")
                    msg = f"the private broker did not start on port {self.port}:\n{log[-2000:]}"
                    raise AssertionError(msg) from None
                time.sleep(0.05)
            else:
                return

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: Mosquitto writes its persistence file and exits; SIGKILL: it does not."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.send_signal(sig)
            self._proc.wait(60)
        self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
