"""What the notification tests share: an HTTP receiver and an SMTP receiver, started."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.receivers import HttpReceiver, SmtpReceiver, serving


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    with serving(HttpReceiver(free_port())) as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with serving(SmtpReceiver(free_port())) as receiver:
        yield receiver
