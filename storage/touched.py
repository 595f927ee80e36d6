"""Which minutes a refresh rolls again: those holding rows received since the last
refresh, and those of the last refresh's overlap that hold more rows than it counted there
(a reading committed after that refresh, though received before it). Readings are never
updated nor deleted, so a minute's count of the rows received in a window only grows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Watermark:
    """A source's watermark (rollup_watermarks, migrations 0008 and 0012), and the time."""

    received_upto: datetime | None  # None: never refreshed
    overlap_from: datetime | None
    overlap_minutes: list[datetime]
    overlap_rows: list[int]
    clock: datetime


@dataclass(frozen=True)
class MinuteRows:
    """A minute's rows among those received since the last refresh less the overlap."""

    minute: datetime
    fresh: int  # received after the last refresh
    recounted: int  # received in the last refresh's overlap, counted again
    overlap: int  # received in this refresh's overlap: what the next one compares


def touched(found: Sequence[MinuteRows], mark: Watermark, since: datetime | None) -> list[datetime]:
    """The minutes to roll again. Where the last refresh counted another window than this
    one recounts (never refreshed, or the overlap setting changed), every minute found."""
    if since is None or mark.overlap_from != since:
        return [m.minute for m in found]
    counted = dict(zip(mark.overlap_minutes, mark.overlap_rows, strict=True))
    return [m.minute for m in found if m.fresh or m.recounted > counted.get(m.minute, 0)]


def overlap_counts(found: Sequence[MinuteRows]) -> tuple[list[datetime], list[int]]:
    """What this refresh saw of its overlap: the minutes and their rows, for the next."""
    kept = [m for m in found if m.overlap]
    return [m.minute for m in kept], [m.overlap for m in kept]
