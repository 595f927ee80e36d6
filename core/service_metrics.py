"""What a service counts, and how every service reports it: to the database, which the
API's /metrics serves, and to the log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from core.db import Connection
from core.sql import load_queries

_Q = load_queries("core", "service_metrics.sql")


@dataclass
class Counters:
    """What a service has counted since it started, one field per counter (a service
    declares its own as a subclass). Each field has one writer, or writers that share a
    lock. Reported as `<field>_total`, logged as "<value> <field in words>"."""

    def totals(self) -> dict[str, float]:
        return {f"{f.name}_total": float(getattr(self, f.name)) for f in fields(self)}

    def __str__(self) -> str:
        return ", ".join(_counted(getattr(self, f.name), f.name) for f in fields(self))


def _counted(value: float, name: str) -> str:
    shown = f"{value:.3f}" if isinstance(value, float) else str(value)
    return f"{shown} {name.replace('_', ' ')}"


def report(conn: Connection, service: str, instance: str, values: Mapping[str, float]) -> None:
    names = list(values)
    conn.execute(
        _Q["report"],
        {
            "service": service,
            "instance": instance,
            "names": names,
            "values": [float(values[n]) for n in names],
        },
    )
