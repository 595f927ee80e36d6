"""Fault injection over a simulated stream: duplicates, out-of-order and late messages,
malformed JSON, out-of-range values, unknown devices, future timestamps and clock skew,
each at its own rate. The report says what was injected and what ingest should make of
it, so that a test can account for every fault."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta

from simulators.site_sim import Outgoing

FUTURE = timedelta(hours=1)


@dataclass(frozen=True)
class FaultRates:
    """Per telemetry message, the chance of each fault; `dropout` is per device and hour
    (a device goes silent for 2-20 minutes behind a retained `offline` status)."""

    dropout: float = 0.0
    duplicate: float = 0.0
    out_of_order: float = 0.0
    late: float = 0.0
    malformed: float = 0.0
    out_of_range: float = 0.0
    unknown_device: float = 0.0
    future_ts: float = 0.0
    clock_skew: float = 0.0

    @classmethod
    def parse(cls, text: str) -> FaultRates:
        """`duplicate=0.01,malformed=0.005`, or `all=0.01` for every fault."""
        names = [f.name for f in fields(cls)]
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            targets = names if name == "all" else [name]
            if any(t not in names for t in targets):
                msg = f"unknown fault {name!r} (one of all, {', '.join(names)})"
                raise ValueError(msg)
            try:
                rate = float(value)
            except ValueError:
                msg = f"fault rate {part!r} is not name=number"
                raise ValueError(msg) from None
            if not 0.0 <= rate <= (24.0 if name == "dropout" else 1.0):
                msg = f"fault rate {part!r} is not between 0 and 1"
                raise ValueError(msg)
            rates.update(dict.fromkeys(targets, rate))
        return cls(**rates)


@dataclass
class FaultReport:
    injected: Counter[str] = field(default_factory=Counter)
    # what ingest should refuse: one dead letter per (topic, payload)
    dead: list[tuple[str, bytes]] = field(default_factory=list)
    # what ingest should store: each (device, ts in ms) once
    readings: set[tuple[str, int]] = field(default_factory=set)
    messages: int = 0


class FaultInjector:
    def __init__(self, rates: FaultRates, seed: int) -> None:
        self.rates = rates
        self.rng = random.Random(f"{seed}:faults")
        self.report = FaultReport()
        self._held: list[tuple[datetime, int, Outgoing]] = []
        self._serial = 0

    def apply(self, messages: list[Outgoing], now: datetime) -> list[Outgoing]:
        out: list[Outgoing] = []
        for message in messages:
            if message.retain:  # status messages pass untouched
                out.append(message)
                continue
            out += self._one(message, now)
        due = [h for h in self._held if h[0] <= now]
        self._held = [h for h in self._held if h[0] > now]
        out += [message for _, _, message in sorted(due, key=lambda h: (h[0], h[1]))]
        self.report.messages += sum(1 for m in out if not m.retain)
        return out

    def flush(self) -> list[Outgoing]:
        held, self._held = self._held, []
        out = [message for _, _, message in sorted(held, key=lambda h: (h[0], h[1]))]
        self.report.messages += len(out)
        return out

    def _hit(self, fault: str) -> bool:
        rate: float = getattr(self.rates, fault)
        if rate and self.rng.random() < rate:
            self.report.injected[fault] += 1
            return True
        return False

    def _one(self, message: Outgoing, now: datetime) -> list[Outgoing]:
        single = "/gateway/" not in message.topic
        if self._hit("malformed"):
            return self._refused(
                Outgoing(message.topic, message.payload[: len(message.payload) // 2])
            )
        if self._hit("unknown_device"):
            parts = message.topic.split("/")
            parts[3] = f"{parts[2]}-ghost-{self.rng.randrange(1000):03d}"
            return self._refused(Outgoing("/".join(parts), message.payload))
        if single and self._hit("out_of_range"):
            reading = json.loads(message.payload)
            key = "wind_mps" if "wind_mps" in reading else next(k for k in reading if k != "ts")
            reading[key] = 9999.0
            return self._refused(_with(message, reading))
        if single and self._hit("future_ts"):
            reading = json.loads(message.payload)
            # Judged against the receive time: an hour ahead of the real clock.
            reading["ts"] = int((datetime.now(UTC) + FUTURE).timestamp() * 1000)
            return self._refused(_with(message, reading))
        if single and self._hit("clock_skew"):
            reading = json.loads(message.payload)
            reading["ts"] += self.rng.randrange(1, 1000)  # off the 1 s grid: no collision
            device = message.readings[0][0]
            message = Outgoing(message.topic, _dumps(reading), readings=((device, reading["ts"]),))
        self.report.readings.update(message.readings)
        if self._hit("duplicate"):
            return [message, message]
        if self._hit("out_of_order"):
            self._hold(message, now + timedelta(seconds=self.rng.uniform(2, 10)))
            return []
        if self._hit("late"):
            self._hold(message, now + timedelta(minutes=self.rng.uniform(2, 10)))
            return []
        return [message]

    def _refused(self, message: Outgoing) -> list[Outgoing]:
        self.report.dead.append((message.topic, message.payload))
        return [message]

    def _hold(self, message: Outgoing, until: datetime) -> None:
        self._serial += 1
        self._held.append((until, self._serial, message))


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _with(message: Outgoing, reading: dict[str, object]) -> Outgoing:
    return Outgoing(message.topic, _dumps(reading))
