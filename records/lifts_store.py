"""Recording crane lifts as readings arrive: each turn takes the crane readings received
since the last (by received_at, with the rollups' overlap for commits that lagged their
receive time), widens each crane's stretch to unloaded readings on both sides (no lift
spans one), finds the lifts there again and replaces those stored. A late batch thus
completes or corrects its lifts, and a turn run twice stores the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg.rows import class_row

from core.db import Connection
from core.settings import Settings
from core.sql import load_queries
from records.lifts import CraneReading, Lift, Thresholds, detect_lifts, floor_at

_Q = load_queries("records", "lifts_store.sql")
LOOK_BACK = timedelta(days=1)  # as unloaded_before / unloaded_after look


@dataclass(frozen=True)
class Touched:
    site: str
    crane: str
    rated_t: float
    first_ts: datetime
    last_ts: datetime


@dataclass(frozen=True)
class Recorded:
    site: str
    crane: str
    from_ts: datetime
    to_ts: datetime
    lifts: int


def record_lifts(conn: Connection, settings: Settings) -> list[Recorded]:
    """One turn: the stretches looked at again and the lifts found in each."""
    upto: datetime = conn.execute(_Q["clock"]).fetchall()[0][0]
    watermark = conn.execute(_Q["watermark"]).fetchone()
    overlap = timedelta(seconds=settings.rollup_overlap_s)
    # A first turn takes the last day's readings: a database with months of them before
    # the job existed is not read whole in one turn (their lifts are not recorded).
    since = watermark[0] - overlap if watermark else upto - LOOK_BACK
    with conn.cursor(row_factory=class_row(Touched)) as cur:
        touched = cur.execute(_Q["touched"], {"since": since, "upto": upto}).fetchall()
    done = [_record_stretch(conn, settings, stretch) for stretch in touched]
    conn.execute(_Q["set_watermark"], {"upto": upto})
    return done


def _record_stretch(conn: Connection, settings: Settings, stretch: Touched) -> Recorded:
    limits = Thresholds.of(
        stretch.rated_t, settings.lift_start_share, settings.lift_end_share, settings.lift_min_s
    )
    crane = {"crane": stretch.crane, "end_t": limits.end_t}
    with conn.transaction():
        before = conn.execute(_Q["unloaded_before"], {**crane, "ts": stretch.first_ts}).fetchone()
        after = conn.execute(_Q["unloaded_after"], {**crane, "ts": stretch.last_ts}).fetchone()
        from_ts = before[0] if before and before[0] else stretch.first_ts - LOOK_BACK
        to_ts = after[0] if after and after[0] else stretch.last_ts
        span = {"crane": stretch.crane, "from": from_ts, "to": to_ts}
        with conn.cursor(row_factory=class_row(CraneReading)) as cur:
            readings = cur.execute(_Q["readings"], span).fetchall()
        elevations = [
            (level, elevation)
            for level, elevation in conn.execute(_Q["floors"], {"site": stretch.site}).fetchall()
        ]
        lifts = detect_lifts(readings, limits)
        conn.execute(_Q["forget_lifts"], {**span, "site": stretch.site})
        for lift in lifts:
            conn.execute(_Q["record_lift"], _row(stretch, lift, elevations))
    return Recorded(stretch.site, stretch.crane, from_ts, to_ts, len(lifts))


def _row(stretch: Touched, lift: Lift, elevations: list[tuple[int, float]]) -> dict[str, object]:
    return {
        "site": stretch.site,
        "crane": stretch.crane,
        "started_at": lift.started_at,
        "ended_at": lift.ended_at,
        "max_load_t": lift.max_load_t,
        "max_moment_pct": lift.max_moment_pct,
        "max_wind_mps": lift.max_wind_mps,
        "pick_radius_m": lift.pick.radius_m,
        "pick_slew_deg": lift.pick.slew_deg,
        "pick_height_m": lift.pick.height_m,
        "pick_floor": floor_at(lift.pick.height_m, elevations),
        "set_radius_m": lift.set_down.radius_m,
        "set_slew_deg": lift.set_down.slew_deg,
        "set_height_m": lift.set_down.height_m,
        "set_floor": floor_at(lift.set_down.height_m, elevations),
        "readings": lift.readings,
    }
