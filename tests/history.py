"""Readings of every kind written straight into the hypertables, as ingest would store
them: for the rollup and dashboard tests, which need history rather than a live stream."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from core.db import Connection

CRANE = ("load_t", "radius_m", "height_m", "slew_deg", "moment_pct", "wind_mps", "tilt_deg")
ENV = ("temp_c", "rh_pct", "pm25_ugm3", "pm10_ugm3", "noise_dba", "core_temp_c")


def insert_history(
    conn: Connection,
    site: str,
    start: datetime,
    hours: float,
    seed: int,
    received_at: datetime | None = None,
) -> None:
    """Cranes every 5 s, tags every 10 s moving between floors, an air sensor on 2F and a
    concrete probe on 3F every 30 s; received a second after measured unless given."""
    lag = timedelta(seconds=1)

    def received(ts: datetime) -> datetime:
        return received_at or ts + lag

    rng = random.Random(seed)
    seconds = int(hours * 3600)
    crane: list[tuple[Any, ...]] = []
    tag: list[tuple[Any, ...]] = []
    env: list[tuple[Any, ...]] = []
    for s in range(0, seconds, 5):
        ts = start + timedelta(seconds=s, milliseconds=rng.randrange(1000))
        crane.append((ts, "tc-1", site, received(ts), *[rng.uniform(0, 100) for _ in CRANE]))
    for s in range(0, seconds, 10):
        for n, device in enumerate(("tag-0001", "tag-0002", "tag-0003")):
            ts = start + timedelta(seconds=s, milliseconds=n * 7)
            battery = rng.uniform(20, 100) if rng.random() < 0.5 else None
            tag.append(
                (
                    ts,
                    device,
                    site,
                    received(ts),
                    rng.choice((1, 2, 3)),
                    rng.uniform(0, 30),
                    rng.uniform(0, 30),
                    battery,
                )
            )
    for s in range(0, seconds, 30):
        ts = start + timedelta(seconds=s)
        air = (
            rng.uniform(5, 30),
            rng.uniform(30, 90),
            rng.uniform(5, 80),
            rng.uniform(10, 150),
            rng.uniform(40, 90),
            None,
        )
        probe = (rng.uniform(5, 30), None, None, None, None, rng.uniform(10, 60))
        at = received(ts)
        env.append((ts, "env-2f-01", site, at, 2, *air))
        env.append((ts + timedelta(milliseconds=3), "env-3f-01", site, at, 3, *probe))
    with conn.transaction():
        conn.cursor().executemany(
            f"INSERT INTO crane_readings (ts, device_id, site_id, received_at, {', '.join(CRANE)})"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            crane,
        )
        conn.cursor().executemany(
            "INSERT INTO tag_readings (ts, device_id, site_id, received_at, floor, x_m, y_m,"
            " battery_pct) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            tag,
        )
        conn.cursor().executemany(
            "INSERT INTO env_readings (ts, device_id, site_id, received_at, floor,"
            f" {', '.join(ENV)}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            env,
        )


def insert_device_state(conn: Connection, site: str) -> None:
    """device_state as ingest leaves it: each device's newest reading, online."""
    conn.execute(
        """
        INSERT INTO device_state (device_id, site_id, kind, last_ts, last_seen_at, latest,
                                  floor, zone, online, status_changed_at, status_reason)
        SELECT DISTINCT ON (device_id) device_id, site_id, kind, ts, now(), latest, floor,
               zone, true, now(), 'test'
        FROM (
            SELECT device_id, site_id, 'crane' AS kind, ts, NULL::int AS floor,
                   NULL AS zone, to_jsonb(r) - 'ts' - 'device_id' - 'site_id' AS latest
            FROM crane_readings AS r WHERE site_id = %(site)s
            UNION ALL
            SELECT device_id, site_id, 'env', ts, floor, zone, jsonb_strip_nulls(
                jsonb_build_object('temp_c', temp_c, 'rh_pct', rh_pct, 'pm10_ugm3', pm10_ugm3,
                                   'noise_dba', noise_dba, 'core_temp_c', core_temp_c))
            FROM env_readings WHERE site_id = %(site)s
            UNION ALL
            SELECT device_id, site_id, 'tag', ts, floor, zone,
                   jsonb_build_object('x_m', x_m, 'y_m', y_m)
            FROM tag_readings WHERE site_id = %(site)s
        ) AS newest
        ORDER BY device_id, ts DESC
        ON CONFLICT (device_id) DO NOTHING
        """,
        {"site": site},
    )


def insert_alerts(conn: Connection, site: str, now: datetime) -> None:
    """A few alerts as the rules would leave them: open and resolved, acknowledged or not,
    on floors, on a crane, against a task; each with its opening event."""
    alerts = [
        ("crane-moment-alarm", "tc-1", "active", "critical", None, "tc-1", None, 102.5, 50),
        ("dust-pm10", "env-2f-01", "acknowledged", "minor", 2, "env-2f-01", None, 180.0, 90),
        ("curing-temp", "env-3f-01", "resolved", "major", 3, "env-3f-01", "T-3F-POUR", 3.5, 200),
        ("noise-night", "env-2f-01", "resolved", "warning", 2, "env-2f-01", "T-2F-WALLS", 61.0, 30),
    ]
    for rule, subject, state, severity, floor, device, task, value, minutes_ago in alerts:
        opened = now - timedelta(minutes=minutes_ago)
        acked = opened + timedelta(minutes=4) if state != "active" else None
        resolved = opened + timedelta(minutes=20) if state == "resolved" else None
        row = conn.execute(
            """
            INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message,
                                floor, device_id, task_id, value, worst_value, opened_at,
                                raised_at, last_breach_at, acknowledged_at, acknowledged_by,
                                resolved_at, resolved_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            RETURNING id
            """,
            (
                site,
                rule,
                subject,
                state,
                severity,
                f"{rule} on {subject}",
                f"{value} measured",
                floor,
                device,
                task,
                value,
                value,
                opened,
                opened,
                opened,
                acked,
                "manager" if acked else None,
                resolved,
                "rules" if resolved else None,
            ),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO alert_events (alert_id, at, kind, actor, value) VALUES (%s, %s,"
            " 'opened', 'rules', %s)",
            (row[0], opened, value),
        )


def insert_tasks(conn: Connection, site: str, now: datetime) -> None:
    """The two tasks the alerts above name, under way now, each with an excursion as the
    rules record them: one over, one still going."""
    for task, name, kind, floor in (
        ("T-3F-POUR", "3F slab pour", "pour", 3),
        ("T-2F-WALLS", "2F walls", "noisy", 2),
    ):
        conn.execute(
            """
            INSERT INTO tasks (site_id, id, name, type, floors, planned_start, planned_finish,
                               status, crew_planned, source_file, source_format)
            VALUES (%s, %s, %s, %s, %s, %s, %s, 'in_progress', 8, 'history.csv', 'csv')
            """,
            (site, task, name, kind, [floor], now - timedelta(hours=8), now + timedelta(hours=8)),
        )
    excursions = [
        ("T-3F-POUR", "quality.pour.cold", "env-3f-01", 200, 180, 3.5),
        ("T-2F-WALLS", "env.noise", "env-2f-01", 30, None, 61.0),
    ]
    for task, rule, device, started_ago, ended_ago, worst in excursions:
        conn.execute(
            """
            INSERT INTO task_excursions (site_id, task_id, rule_id, device_id, metric,
                                         started_at, ended_at, worst_value)
            VALUES (%s, %s, %s, %s, 'temp_c', %s, %s, %s)
            """,
            (
                site,
                task,
                rule,
                device,
                now - timedelta(minutes=started_ago),
                None if ended_ago is None else now - timedelta(minutes=ended_ago),
                worst,
            ),
        )
