"""The simulated site without a broker: determinism and the physics it promises."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from simulators.cranes import moment_pct, rated_load_t
from simulators.environment import hydration_rise_c
from simulators.faults import FaultInjector, FaultRates
from simulators.site_sim import Outgoing, SiteSimulation
from simulators.workers import TAG_HEIGHT_M
from sites.site_file import SiteFile, load_site_file

REPO = Path(__file__).resolve().parents[2]
# 08:00 in Shanghai: the working day begins.
MORNING = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


@cache
def demo_site() -> SiteFile:
    return load_site_file(REPO / "deploy/sites/demo-tower.yaml")


def messages(seed: int, start: datetime, seconds: int) -> list[Outgoing]:
    simulation = SiteSimulation(demo_site(), seed, start)
    return [m for _ in range(seconds) for m in simulation.step()]


def telemetry(batch: list[Outgoing], kind: str) -> list[tuple[str, dict[str, object]]]:
    """(device, reading) of every reading of a kind, gateway batches unpacked."""
    out: list[tuple[str, dict[str, object]]] = []
    for message in batch:
        _, _, topic_kind, device, channel = message.topic.split("/")
        if channel != "telemetry":
            continue
        payload = json.loads(message.payload)
        if topic_kind == "gateway" and kind == "tag":
            out += [(tag, r) for tag, readings in payload.items() for r in readings]
        elif topic_kind == kind:
            out.append((device, payload))
    return out


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others() -> None:
    first = messages(7, MORNING, 600)
    assert len(first) > 2000
    assert first == messages(7, MORNING, 600)
    other = messages(8, MORNING, 600)
    assert [m.payload for m in first[:500]] != [m.payload for m in other[:500]]


def test_crane_moment_follows_load_radius_and_the_rated_curve() -> None:
    cranes = {c.id: c for c in demo_site().cranes}
    readings = telemetry(messages(3, MORNING, 2 * 3600), "crane")
    loaded = [(d, r) for d, r in readings if float(r["load_t"]) > 0]  # type: ignore[arg-type]
    assert len(loaded) > 1000, "the cranes should be lifting in working hours"
    for device, r in readings:
        load, radius = float(r["load_t"]), float(r["radius_m"])  # type: ignore[arg-type]
        assert r["moment_pct"] == round(moment_pct(cranes[device], load, radius), 1)
        assert radius <= cranes[device].jib_m
    peaks = [float(r["moment_pct"]) for _, r in loaded]  # type: ignore[arg-type]
    assert max(peaks) > 85.0, "some lifts should come close to the limit"


def test_the_rated_curve_is_flat_then_constant_moment() -> None:
    crane = demo_site().cranes[0]
    full = 0.25 * crane.jib_m
    assert rated_load_t(crane, full / 2) == crane.rated_t
    assert rated_load_t(crane, 2 * full) == pytest.approx(crane.rated_t / 2)
    assert rated_load_t(crane, 40) * 40 == pytest.approx(rated_load_t(crane, 50) * 50)


def test_devices_drop_out_behind_an_offline_status_and_come_back() -> None:
    simulation = SiteSimulation(demo_site(), 4, MORNING, dropouts_per_device_hour=1.0)
    statuses = [m for _ in range(3600) for m in simulation.step() if m.retain]
    assert simulation.dropouts > 30  # 67 connected devices, one dropout an hour each
    last: dict[str, bytes] = {}
    for message in statuses:
        assert last.get(message.topic, b"online") != message.payload, "a change each time"
        last[message.topic] = message.payload
    assert b"online" in last.values(), "devices come back"
    silent = {topic.split("/")[3] for topic, state in last.items() if state == b"offline"}
    assert silent == set(simulation.offline_until)


def test_workers_are_only_on_floors_that_exist_and_only_in_working_hours() -> None:
    site = demo_site()
    elevations = {f.level: f.elevation_m for f in site.floors}
    night = telemetry(messages(5, MORNING - timedelta(hours=6), 1800), "tag")
    assert night == [], "nobody on site at 02:00"
    day = telemetry(messages(5, MORNING + timedelta(hours=1), 1800), "tag")
    assert len({tag for tag, _ in day}) > 200
    for _, r in day:
        z = float(r["z_m"])  # type: ignore[arg-type]
        level = min(elevations, key=lambda lv: abs(elevations[lv] + TAG_HEIGHT_M - z))
        assert abs(elevations[level] + TAG_HEIGHT_M - z) < 0.6
        if "floor" in r:
            assert r["floor"] == level


def test_night_is_quieter_than_the_working_day() -> None:
    def noise(start: datetime) -> float:
        readings = telemetry(messages(2, start, 1800), "env")
        return statistics.mean(float(r["noise_dba"]) for _, r in readings if "noise_dba" in r)  # type: ignore[arg-type]

    day = noise(MORNING + timedelta(hours=2))  # 10:00 local
    night = noise(MORNING - timedelta(hours=7))  # 01:00 local
    assert night < 55.0 < day
    assert day - night > 10.0


def test_concrete_probes_heat_after_the_pour() -> None:
    # The top probed floor is poured an hour after the start; its peak comes ~20 h later.
    simulation = SiteSimulation(demo_site(), 1, MORNING)
    environment, weather = simulation.environment, simulation.weather
    probes = [s for s in environment.sensors if s.probe]
    top = max(s.floor.level for s in probes)
    on_top = [s for s in probes if s.floor.level == top]
    assert len(on_top) >= 3

    def rise(hours_after_start: float) -> list[float]:
        t = MORNING + timedelta(hours=hours_after_start)
        readings = [environment.reading(s, t, weather, True, 30.0) for s in on_top]
        return [r["core_temp_c"] - r["temp_c"] for r in readings]

    assert max(rise(0.5)) < 1.0  # before the pour: the probe reads the air
    assert min(rise(21.0)) > 15.0  # hydration heat near the peak, core above surface
    assert max(rise(21.0)) > max(rise(6.0)) > max(rise(0.5))
    older = [s for s in probes if s.floor.level < top]
    assert all(environment.pour_at[s.floor.level] < MORNING for s in older)
    assert hydration_rise_c(20.0) == pytest.approx(38.0)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("duplicate=2", "not between 0 and 1"),
        ("sparks=0.1", "unknown fault 'sparks'"),
        ("duplicate", "is not name=number"),
    ],
)
def test_fault_rates_refuse_bad_text(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        FaultRates.parse(text)


def test_faults_are_injected_at_their_rates_and_reported() -> None:
    rates = FaultRates.parse("all=0.02")
    assert rates.malformed == 0.02
    assert rates.dropout == 0.02
    assert FaultRates.parse("dropout=2").dropout == 2.0  # per device and hour
    injector = FaultInjector(rates, seed=1)
    simulation = SiteSimulation(demo_site(), 1, MORNING)
    sent = [m for _ in range(1200) for m in injector.apply(simulation.step(), simulation.t)]
    sent += injector.flush()
    report = injector.report
    refusing = ("malformed", "unknown_device", "out_of_range", "future_ts")
    assert len(report.dead) == sum(report.injected[f] for f in refusing)
    assert all(report.injected[f] > 0 for f in ("duplicate", "late", "malformed", "clock_skew"))
    telemetry_sent = [m for m in sent if not m.retain]
    assert len(telemetry_sent) == report.messages
    carried = {r for m in telemetry_sent for r in m.readings}
    assert carried == report.readings  # every accepted reading is sent, late ones included
