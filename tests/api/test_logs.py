"""`sitepulse api` as an operator runs it (uvicorn's access log on): an API key in a URL
(the wall board's `?key=`) never reaches the log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from api.keys import create_key
from core.db import Connection
from core.settings import Settings
from sites.site_file import SiteFile
from tests.conftest import free_port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_keys_and_other_secrets_in_urls_are_masked_in_the_access_log(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile, tmp_path: Path
) -> None:
    _, key = create_key(conn, "wall display", "viewer")
    port = free_port()
    log = tmp_path / "api.log"
    env = {
        "SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(),
        "SITEPULSE_LOG_LEVEL": "INFO",
        "PATH": os.environ.get("PATH", "/usr/bin"),
    }
    with log.open("w") as stderr:
        api = subprocess.Popen(
            [sys.executable, "-m", "sitepulse", "api", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=tmp_path,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    if _get(f"{base}/healthz") == 200:
                        break
                except OSError:
                    pass
                assert api.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the API did not start: " + log.read_text()
                time.sleep(0.1)
            assert _get(f"{base}/board/{site_id}?key={key}") == 200
            floors = f"{base}/api/v1/sites/{site_id}/floors?key={key}&api_token=tok-42&page=2"
            assert _get(floors) == 401  # the API reads keys from the header only
        finally:
            api.send_signal(signal.SIGTERM)
            api.wait(20)
    text = log.read_text()
    assert f"/board/{site_id}?key=***" in text, text  # the request is logged, masked
    assert "api_token=***&page=2" in text, text
    assert key not in text
    assert "tok-42" not in text
