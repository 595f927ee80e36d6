"""`sitepulse ingest` as a separate process, as it runs in production: its log in a file,
its memory read from /proc, its death noticed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.settings import Settings
from tests.helpers import REPO


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc/PID/status (VmRSS, in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class IngestSubprocess:
    def __init__(
        self,
        settings: Settings,
        client_id: str,
        log: Path,
        *,
        database_url: str | None = None,
        group: str | None = None,
    ) -> None:
        """`database_url` replaces the settings' one (a proxy in front of PostgreSQL);
        processes that share the stream share a `group` (by default, one of its own)."""
        self.client_id = client_id
        self.log = log
        env = {
            **os.environ,
            "SITEPULSE_DATABASE_URL": database_url or settings.database_url.get_secret_value(),
            "SITEPULSE_MQTT_URL": settings.mqtt_url.get_secret_value(),
            "SITEPULSE_INGEST_CLIENT_ID": client_id,
            "SITEPULSE_INGEST_GROUP": group or f"g-{client_id}",
            "SITEPULSE_INGEST_SITE_FILTER": settings.ingest_site_filter,
            "SITEPULSE_INGEST_SESSION_EXPIRY_S": "600",
            "SITEPULSE_INGEST_BATCH_AGE_MS": "20",
            "SITEPULSE_LOG_LEVEL": "INFO",
        }
        starts = self._text().count("connected to")
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sitepulse", "ingest"],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        deadline = time.monotonic() + 30
        while self._text().count("connected to") <= starts:
            if not self.alive() or time.monotonic() > deadline:
                msg = f"ingest did not connect to the broker:\n{self.tail()}"
                raise AssertionError(msg)
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss_mb(self) -> float:
        return rss_mb(self.pid) if self.alive() else 0.0

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int | None:
        """The exit code (None if it had to be killed after `timeout`)."""
        if self.alive():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self._out.close()
                return None
        self._out.close()
        return self.proc.returncode

    def messages_handled(self) -> int:
        """As its last stop reported it (-1 before it has stopped)."""
        found = re.findall(r"stopped: (\d+) messages", self._text())
        return int(found[-1]) if found else -1

    def tail(self, chars: int = 3000) -> str:
        return self._text()[-chars:]

    def death(self) -> str:
        """Why the process is gone, for an assertion message."""
        return f"ingest exited with code {self.proc.returncode}; its log ends:\n{self.tail()}"

    def _text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class IngestProcesses:
    """The ingest processes one test starts, each logging to a file of its own in
    `log_dir`; `close` kills those still running and prints the end of every log."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._started: list[IngestSubprocess] = []

    def start(
        self,
        settings: Settings,
        client_id: str,
        *,
        database_url: str | None = None,
        group: str | None = None,
    ) -> IngestSubprocess:
        log = self._log_dir / f"ingest-{len(self._started)}.log"
        ingest = IngestSubprocess(settings, client_id, log, database_url=database_url, group=group)
        self._started.append(ingest)
        return ingest

    def close(self) -> None:
        for ingest in self._started:
            if ingest.alive():
                ingest.stop(signal.SIGKILL)
            print(f"{ingest.log} ends:\n{ingest.tail()}")  # shown by pytest on failure
