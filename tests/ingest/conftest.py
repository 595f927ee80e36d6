"""What the ingest tests share: ingest processes started for a test and cleaned up after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest_process import IngestProcesses


@pytest.fixture
def ingest_processes(tmp_path: Path) -> Iterator[IngestProcesses]:
    processes = IngestProcesses(tmp_path)
    yield processes
    processes.close()
