"""Services report their counters to the database; the API's /metrics serves them all."""

from __future__ import annotations

from collections.abc import Mapping

from core.db import Connection
from core.sql import load_queries

_Q = load_queries("core", "service_metrics.sql")


def report(conn: Connection, service: str, instance: str, values: Mapping[str, float]) -> None:
    names = list(values)
    conn.execute(
        _Q["report"],
        {"service": service, "instance": instance, "names": names,
         "values": [float(values[n]) for n in names]},
    )  # fmt: skip
