"""What every benchmark shares: its command line's start, timing a call, and the
percentiles it prints."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """A benchmark option with its help, and how its text is read when not as its
    default's type."""

    default: object
    help: str | None = None
    read: Callable[[str], object] | None = None


def bench_options(doc: str | None, **options: object) -> argparse.Namespace:
    """A benchmark's command line, described by the first line of its docstring: each
    keyword an option `--name-with-dashes` of its default's type (or an `Option`)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    for name, value in options.items():
        option = value if isinstance(value, Option) else Option(value)
        read = option.read or type(option.default)
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=read, default=option.default, help=option.help)
    return parser.parse_args()


def percentile(values: list[float], q: float) -> float:
    """The value at quantile `q` (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def percentiles(samples_ms: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples_ms):6.1f} ms   p99 {percentile(samples_ms, 0.99):6.1f} ms"
    )


def timed(call: Callable[[], object], n: int) -> list[float]:
    """`call`'s wall time in ms, `n` times after one warm-up call."""
    call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
