"""What every benchmark shares: its command line's start, timing a call, and the
percentiles it prints."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line, described by the first line of its docstring."""
    return argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)


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
