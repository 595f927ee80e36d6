"""Running a long-lived service in the foreground: it stops cleanly on SIGTERM or Ctrl-C,
and a SitePulse error (the database unreachable, the schema behind) is its exit message."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Protocol

from core.errors import SitePulseError

log = logging.getLogger(__name__)


class Service(Protocol):
    def run(self) -> None: ...

    def request_stop(self, signum: int = 0, _frame: FrameType | None = None) -> None: ...


def run_until_signalled(service: Service) -> int:
    signal.signal(signal.SIGTERM, service.request_stop)
    signal.signal(signal.SIGINT, service.request_stop)
    try:
        service.run()
    except SitePulseError as exc:
        log.error("%s", exc)  # noqa: TRY400 - the message is the diagnosis; no traceback
        return 1
    return 0
