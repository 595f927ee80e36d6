"""A row as COPY takes it: the common columns, then the kind's own (core/measurements.py)."""

from __future__ import annotations

from typing import Any

from core import measurements
from core.kinds import ReadingKind

COMMON_COLUMNS = tuple(measurements.COMMON_COLUMN_TYPES)
MEASUREMENT_COLUMNS: dict[ReadingKind, tuple[str, ...]] = {
    kind: tuple(m.key for m in columns) for kind, columns in measurements.COLUMNS.items()
}
Row = tuple[Any, ...]
